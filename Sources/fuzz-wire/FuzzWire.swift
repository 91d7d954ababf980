// Fuzz target: the wire decoder and the scheduler behind it, as a hostile peer reaches them.
//
// Built normally, this replays files (`fuzz-wire FILE...`) or writes seed inputs
// (`fuzz-wire --seeds DIR`); built by scripts/fuzz (FUZZING defined, libFuzzer linked), it fuzzes.
import Foundation
import FuzzSupport
import SwellCoordinator
import SwellCore
import SwellProtocol
import SwellWire

/// The scheduler's clock starts here for every input.
let origin = ContinuousClock.now

func testOne(_ bytes: UnsafeRawBufferPointer) {
    let frames = WireInput.frames(bytes)
    _ = try? WireCodec.decode(frames)
    // Through a scheduler with a node that joined, from that node and from a stranger.
    var scheduler = Scheduler(settings: CoordinatorSettings(), incarnation: "coordinator", seed: 1)
    var effects = Effects()
    let now = Moment(monotonic: origin, wall: 1)
    let node = Data("node".utf8)
    scheduler.receive(.hello(Hello(id: 1, role: .node, name: "n", incarnation: "i", slots: 2)), from: node, userID: nil,
                      at: now, into: &effects)
    scheduler.receive(.heartbeat(Heartbeat(id: 2, running: 0)), from: node, userID: nil, at: now, into: &effects)
    InboundFrames.deliver(frames, from: node, userID: nil, to: &scheduler, at: now, into: &effects)
    InboundFrames.deliver(frames, from: Data("stranger".utf8), userID: nil, to: &scheduler, at: now, into: &effects)
    scheduler.tick(at: Moment(monotonic: origin + .seconds(1), wall: 2), into: &effects)
}

/// Valid messages of every kind, as seed inputs.
func seeds() -> [Data] {
    let report = Report(run: "r", stage: "s", index: 0, scope: "a", attempt: 1, node: "n", exitCode: 0, signal: nil,
                        timedOut: false, error: nil, startedAt: 1, endedAt: 2, stdoutBytes: 2, stdoutTruncated: false,
                        command: "echo a", stdout: Data("a\n".utf8), stderrTail: Data(), share: 0)
    let spec = TaskSpec(run: .shell("echo {scope}"), summarize: nil, env: [:], timeoutMilliseconds: nil, width: 2,
                        pacing: .barrier, input: .concat, vars: [:], outputCap: 100)
    let messages: [Message] = [
        .hello(Hello(id: 1, role: .node, name: "n", incarnation: "i", slots: 2, holding: [
            AssignmentID.share(run: "r", stage: "s", share: 0, first: 0, attempt: 1)])),
        .heartbeat(Heartbeat(id: 2, running: 1)),
        .report(ReportMessage(id: 3, report: report)),
        .summary(SummaryMessage(id: 4, attempt: 1, summary: ShareSummary(
            run: "r", stage: "s", share: 0, first: 0, count: 1, firstScope: "a", lastScope: "a", node: "n", exitCode: 0,
            error: nil, output: Data("x".utf8)), summarized: true)),
        .ack(Ack(id: 5, acks: [1, 2, 3])),
        .leave(Leave(id: 6, reason: "bye")),
        .assign(Assign(id: 7, run: "r", stage: "s", kind: .share, share: 0, attempt: 1, first: 0, count: 1, firstScope: "a",
                       lastScope: "a", tasks: [TaskRef(index: 0, scope: "a", attempt: 1, retriesLeft: 0)], done: [report],
                       elsewhere: [], spec: spec, stdin: Data("in".utf8))),
        .submit(Submit(id: 8, plan: "name: p\nstages:\n  - id: a\n    run: echo\n", file: "p.yaml",
                       overrides: [], scopes: [:], taskEvents: false)),
        .cancel(Cancel(id: 9, run: "r", reason: "x")),
        .statusRequest(StatusRequest(id: 10)),
        .logsRequest(LogsRequest(id: 11, run: "r", stage: nil, scope: nil, offset: 0)),
        .attach(Attach(id: 12, run: "r", taskEvents: true, outputFrom: [3, 0])),
        .output(OutputChunk(id: 13, run: "r", sink: 0, offset: 0, data: Data("abc".utf8), last: false)),
        .result(RunResult(id: 14, run: "r", status: .succeeded, stages: [], sinks: ["s"], error: nil, outputBytes: [3])),
    ]
    return messages.map { WireInput.encode(WireCodec.encode($0)) }
}

@main
enum FuzzWire {
    static func main() {
        FuzzMain.run(name: "fuzz-wire", seeds: seeds, testOne: testOne)
    }
}
