import Foundation
import Testing
@testable import SwellClient
@testable import SwellCore
@testable import SwellProtocol

/// Drives a ``RunFollower`` with a clock of its own.
struct FollowerDriver {
    let t0 = ContinuousClock.now
    var now: ContinuousClock.Instant
    var follower: RunFollower
    let submit: Submit

    init(embedded: Bool = false, json: Bool = false, overrides: [VarOverride] = [], stateDirectory: String? = nil) {
        submit = Submit(id: 7, plan: "name: p", file: "p.yaml", overrides: overrides, scopes: [:], taskEvents: true)
        now = t0
        follower = RunFollower(submit: submit, embedded: embedded, endpoint: "tcp://c:7710", json: json,
                               stateDirectory: stateDirectory, at: t0)
    }

    mutating func handle(_ input: RunFollower.Input) -> [RunFollower.Action] { follower.handle(input, at: now) }
    mutating func receive(_ message: Message) -> [RunFollower.Action] { handle(.message(message)) }
    mutating func accept() -> [RunFollower.Action] { receive(.accepted(Accepted(id: 1, replyTo: submit.id, run: "r1"))) }

    /// The coordinator's end of a run: each sink's output as one piece and a closing piece,
    /// then the RESULT.
    mutating func finish(_ status: RunStatus, failed: Int = 0, error: String? = nil,
                         outputs: [String] = ["out\n"]) -> [RunFollower.Action] {
        var actions: [RunFollower.Action] = []
        var id: UInt64 = 100
        for (sink, text) in outputs.enumerated() {
            let bytes = Data(text.utf8)
            id += 1
            if !bytes.isEmpty { actions += receive(.output(OutputChunk(id: id, run: "r1", sink: sink, offset: 0, data: bytes))) }
            id += 1
            actions += receive(.output(OutputChunk(id: id, run: "r1", sink: sink, offset: bytes.count, data: Data(), last: true)))
        }
        return actions + receive(.result(result(status, failed: failed, error: error, outputs: outputs)))
    }

    /// Ticks every 100 ms for `duration`, collecting the actions.
    mutating func wait(_ duration: Duration) -> [RunFollower.Action] {
        var actions: [RunFollower.Action] = []
        let end = now + duration
        while now < end {
            now += .milliseconds(100)
            actions += handle(.tick)
        }
        return actions
    }
}

func result(_ status: RunStatus, failed: Int = 0, error: String? = nil, outputs: [String] = ["out\n"]) -> RunResult {
    RunResult(id: 9, run: "r1", status: status,
              stages: [StageResult(id: "scan", status: status == .succeeded ? .succeeded : .failed,
                                   counts: StageCounts(tasks: 4, succeeded: 4 - failed, failed: failed),
                                   startedAt: 100, endedAt: 101.5, error: nil)],
              sinks: outputs.indices.map { "s\($0)" }, error: error, outputBytes: outputs.map { $0.utf8.count })
}

extension [RunFollower.Action] {
    var lines: [String] {
        compactMap {
            switch $0 {
            case .line(let l), .progressLine(let l): l
            default: nil
            }
        }
    }
    var outputs: [String] { compactMap { if case .output(let d) = $0 { String(decoding: d, as: UTF8.self) } else { nil } } }
    var attaches: Int { filter { if case .attach = $0 { true } else { false } }.count }
    var reconnects: Int { filter { if case .reconnect = $0 { true } else { false } }.count }
    var exit: SwellExit? { compactMap { if case .exit(let e) = $0 { e } else { nil } }.first }
    var failure: ClientError? { compactMap { if case .fail(let e) = $0 { e } else { nil } }.first }
}

@Suite struct RunFollowerTests {
    @Test func itSubmitsThenFollowsTheRunToItsResult() {
        var driver = FollowerDriver()
        #expect(driver.follower.start().count == 1)
        let accepted = driver.accept()
        guard case .started(let run)? = accepted.first else {
            Issue.record("no start")
            return
        }
        #expect(run == "r1")
        let report = Report(run: "r1", stage: "scan", index: 0, scope: "a", attempt: 1, node: "n", exitCode: 0, signal: nil,
                            timedOut: false, error: nil, startedAt: 0, endedAt: 1, stdoutBytes: 0, stdoutTruncated: false,
                            command: "c", stdout: Data(), stderrTail: Data())
        let finished = driver.receive(.event(Event(id: 2, run: "r1", kind: .taskFinished, stage: "scan", report: report)))
        #expect(finished.count == 2, "a finished task goes to the joblog and to progress")
        #expect(driver.receive(.event(Event(id: 3, run: "other", kind: .progress, stage: "x"))).isEmpty)
        let end = driver.finish(.succeeded, outputs: ["one\n", "two\n"])
        #expect(end.outputs == ["one\n", "two\n"])
        #expect(end.lines == ["run r1 succeeded in 1.5s"])
        #expect(end.exit == .success)
        #expect(driver.receive(.result(result(.succeeded))).isEmpty, "nothing after the end")
    }

    /// A stage that ended while the client was away gets its line from the RESULT; one whose
    /// end came as an event is not said twice.
    @Test func aStageThatEndedUnseenIsSaidAtTheEnd() {
        var driver = FollowerDriver()
        _ = driver.accept()
        var end = driver.finish(.succeeded)
        let ends = end.compactMap { if case .event(let e) = $0, e.kind == .stageFinished { e } else { nil } }
        #expect(ends.map(\.stage) == ["scan"])
        #expect(ends.first?.seconds == 1.5)
        #expect(ends.first?.counts?.succeeded == 4)
        var seen = FollowerDriver()
        _ = seen.accept()
        _ = seen.receive(.event(Event(id: 5, run: "r1", kind: .stageFinished, stage: "scan", counts: StageCounts(tasks: 4), seconds: 1.5)))
        end = seen.finish(.succeeded)
        #expect(end.allSatisfy { if case .event = $0 { false } else { true } })
    }

    /// The end names how each stage ended, and the stages that never started.
    @Test func theEndSaysHowEachStageEndedAndWhichNeverStarted() {
        var driver = FollowerDriver()
        _ = driver.accept()
        var stopped = result(.failed, failed: 1, outputs: [])
        stopped.stages.append(StageResult(id: "other", status: .cancelled, counts: StageCounts(tasks: 2), startedAt: 100, endedAt: 101, error: nil))
        stopped.stages.append(StageResult(id: "after", status: .skipped, counts: StageCounts(tasks: nil), startedAt: nil, endedAt: nil, error: nil))
        stopped.stages.append(StageResult(id: "unseen", status: .pending, counts: StageCounts(tasks: nil), startedAt: nil, endedAt: nil, error: nil))
        let end = driver.receive(.result(stopped))
        let ends = end.compactMap { action -> String? in
            if case .event(let event) = action, event.kind == .stageFinished { return "\(event.stage ?? "") \(event.status.map(\.rawValue) ?? "-")" }
            return nil
        }
        #expect(ends == ["scan failed", "other cancelled", "after skipped"], "\(ends)")
    }

    /// A client whose key the coordinator no longer admits stops waiting and says why.
    @Test func aClientNoLongerAdmittedStopsWaiting() {
        var driver = FollowerDriver()
        _ = driver.accept()
        let refused = driver.receive(.refusal(Refusal(id: 5, replyTo: nil, code: .notAdmitted,
                                                      message: "this key is no longer in the coordinator's authorized file")))
        #expect(refused.failure?.exit == .unreachable)
        #expect(refused.failure?.message.contains("no longer admits this client") == true)
    }

    @Test func aFailedRunSaysWhyAndWhereItsReportsAre() {
        var driver = FollowerDriver()
        _ = driver.accept()
        let end = driver.finish(.failed, failed: 2)
        #expect(end.lines == ["run r1 failed: failed tasks: 2 of 4 in scan", "reports: swell logs r1 --coordinator tcp://c:7710",
                             "to run the failed tasks again: swell run p.yaml --coordinator tcp://c:7710 --retry-failed r1"])
        #expect(end.exit == .failed)
        var embedded = FollowerDriver(embedded: true)
        _ = embedded.accept()
        #expect(embedded.finish(.cancelled, error: "interrupted").lines == ["run r1 cancelled: interrupted", "reports: swell logs r1"])
        // A journal elsewhere than the default: the commands name it, whole.
        var elsewhere = FollowerDriver(embedded: true, stateDirectory: "/srv/swell state/./jobs")
        _ = elsewhere.accept()
        #expect(elsewhere.finish(.failed, failed: 2).lines == [
            "run r1 failed: failed tasks: 2 of 4 in scan", "reports: swell logs r1 --state '/srv/swell state/jobs'",
            "to run the failed tasks again: swell run p.yaml --state '/srv/swell state/jobs' --retry-failed r1"])
        var byDefault = FollowerDriver(embedded: true, stateDirectory: StateDirectory.default)
        _ = byDefault.accept()
        #expect(byDefault.finish(.failed, failed: 2).lines.dropFirst().first == "reports: swell logs r1")
    }

    /// A run goes on only with the --set values it started with: the line that says how has them.
    @Test func theLineThatSaysHowToGoOnHasTheRunsSetValues() {
        var driver = FollowerDriver(embedded: true, overrides: [VarOverride(name: "agent", value: "./fake agent")])
        _ = driver.accept()
        let end = driver.finish(.budgetExhausted, error: "budget exhausted: cost 0.9 of 0.5")
        #expect(end.lines.last == "to go on with a larger budget: swell run p.yaml --set 'agent=./fake agent' --continue r1 --budget cost=N")
    }

    @Test func jsonPrintsOneObjectInsteadOfTheOutputs() throws {
        var driver = FollowerDriver(json: true)
        _ = driver.accept()
        let text = try #require(driver.finish(.succeeded).outputs.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["run"] as? String == "r1")
        #expect(object["exitCode"] as? Int == 0)
        #expect((object["outputs"] as? [[String: Any]])?.first?["output"] as? String == "out\n")
    }

    @Test func outputPiecesArePrintedAsTheyComeAndAcknowledgedOnceWritten() {
        var driver = FollowerDriver()
        _ = driver.accept()
        let first = driver.receive(.output(OutputChunk(id: 50, run: "r1", sink: 0, offset: 0, data: Data("abc".utf8))))
        #expect(first.outputs == ["abc"])
        guard case .acknowledge(let ids)? = first.last else {
            Issue.record("no acknowledgement")
            return
        }
        #expect(ids == [50])
        // A copy of what came already (a resend after a re-attach) is not printed twice.
        let again = driver.receive(.output(OutputChunk(id: 51, run: "r1", sink: 0, offset: 1, data: Data("bcde".utf8))))
        #expect(again.outputs == ["de"])
        _ = driver.receive(.output(OutputChunk(id: 52, run: "r1", sink: 0, offset: 5, data: Data(), last: true)))
        let end = driver.receive(.result(result(.succeeded, outputs: ["abcde"])))
        #expect(end.exit == .success)
    }

    @Test func lostPiecesAreAskedForAgainFromWhereTheyStopped() {
        var driver = FollowerDriver()
        _ = driver.accept()
        _ = driver.receive(.output(OutputChunk(id: 50, run: "r1", sink: 0, offset: 0, data: Data("abc".utf8))))
        // The piece at 3 was lost with a broken connection: the next one leaves a gap.
        let gap = driver.receive(.output(OutputChunk(id: 52, run: "r1", sink: 0, offset: 6, data: Data("ghi".utf8))))
        #expect(gap.outputs.isEmpty)
        #expect(gap.compactMap { if case .attach(_, let from) = $0 { from } else { nil } } == [[3]])
        // The rest of the broken stream asks nothing more.
        #expect(driver.receive(.output(OutputChunk(id: 53, run: "r1", sink: 0, offset: 9, data: Data("j".utf8)))).attaches == 0)
        // A RESULT whose outputs did not all come asks for the rest instead of ending.
        let early = driver.receive(.result(result(.succeeded, outputs: ["abcdefghij"])))
        #expect(early.exit == nil)
        #expect(early.attaches == 1)
        _ = driver.receive(.output(OutputChunk(id: 60, run: "r1", sink: 0, offset: 3, data: Data("defghij".utf8))))
        _ = driver.receive(.output(OutputChunk(id: 61, run: "r1", sink: 0, offset: 10, data: Data(), last: true)))
        #expect(driver.receive(.result(result(.succeeded, outputs: ["abcdefghij"]))).exit == .success)
    }

    @Test func aRejectedPlanIsAUsageErrorWithTheCoordinatorsLocations() {
        var driver = FollowerDriver()
        let actions = driver.receive(.rejected(Rejected(id: 1, replyTo: 7, message: "p.yaml:2:8: bad")))
        guard case .diagnostic(let text)? = actions.first else {
            Issue.record("no diagnostic")
            return
        }
        #expect(text == "p.yaml:2:8: bad\n")
        #expect(actions.exit == .usage)
        var other = FollowerDriver()
        let refused = other.receive(.rejected(Rejected(id: 1, replyTo: 7, message: "no run r9 in the journal")))
        #expect(refused.first.map { if case .diagnostic(let text) = $0 { text } else { "" } } == "swell: no run r9 in the journal\n")
        #expect(refused.exit == .usage)
    }

    @Test func aCoordinatorThatNeverAcceptsIsUnreachableAfterThirtySeconds() {
        var driver = FollowerDriver()
        #expect(driver.wait(.milliseconds(29_900)).isEmpty)
        let failure = driver.wait(.milliseconds(100)).failure
        #expect(failure?.exit == .unreachable)
        #expect(failure?.message == "the coordinator at tcp://c:7710 did not accept the plan within 30 s")
    }

    @Test func aSilentCoordinatorIsWaitedForAndTheRunAttachedAgainEverySecond() {
        var driver = FollowerDriver()
        _ = driver.accept()
        #expect(driver.wait(.seconds(5)).isEmpty)
        let silent = driver.wait(.milliseconds(2_050))
        #expect(silent.lines == ["no word from the coordinator for 5 s; waiting for it to come back"])
        #expect(silent.attaches == 3)
        #expect(silent.reconnects == 0)
        let back = driver.receive(.heartbeat(Heartbeat(id: 1, running: 0)))
        #expect(back.lines == ["the coordinator is back"])
        var embedded = FollowerDriver(embedded: true)
        _ = embedded.accept()
        #expect(embedded.wait(.seconds(10)).isEmpty, "the embedded coordinator is never taken for gone")
    }

    /// A coordinator paused past libzmq's handshake time can come back with this client's
    /// connection unknown to it: after 10 s of silence a re-attach makes a new connection first,
    /// every 5 s, until the coordinator answers.
    @Test func aLongSilenceMakesANewConnectionEveryFiveSeconds() {
        var driver = FollowerDriver()
        _ = driver.accept()
        #expect(driver.wait(.milliseconds(9_950)).reconnects == 0)
        let long = driver.wait(.seconds(15))
        #expect(long.reconnects == 3, "\(long)")
        #expect(long.attaches == 15)
        _ = driver.receive(.heartbeat(Heartbeat(id: 1, running: 0)))
        #expect(driver.wait(.seconds(9)).reconnects == 0)
    }

    /// A continued run's stages that had ended before it went on get no "finished in" line (their
    /// time would count from the continue, below zero); those that ended since do.
    @Test func aContinuedRunSaysNothingOfTheStagesThatEndedBeforeIt() {
        var driver = FollowerDriver()
        _ = driver.accept()
        var done = result(.succeeded, outputs: [])
        done.continuedAt = 200
        var later = done.stages[0]
        later.id = "later"
        later.startedAt = 150
        later.endedAt = 203
        done.stages.append(later)
        let end = driver.receive(.result(done))
        let finished = end.compactMap { action -> String? in
            if case .event(let event) = action, event.kind == .stageFinished { return "\(event.stage ?? "") \(event.seconds ?? -1)" }
            return nil
        }
        #expect(finished == ["later 3.0"], "\(finished)")
    }

    @Test func aRejoinRefusalSaysHelloAgainAndAttaches() {
        var driver = FollowerDriver()
        _ = driver.accept()
        let refused = driver.receive(.refusal(Refusal(id: 1, replyTo: nil, code: .rejoin, message: "unknown peer")))
        guard case .hello? = refused.first else {
            Issue.record("no hello")
            return
        }
        #expect(driver.handle(.welcomed).attaches == 1)
        let unknown = driver.receive(.refusal(Refusal(id: 2, replyTo: nil, code: .unknownRun, message: "no run r1")))
        #expect(unknown.failure?.message == "no run r1")
    }

    @Test func aClosedStdoutCancelsAnEmbeddedRunAndLeavesARemoteOneGoing() {
        var embedded = FollowerDriver(embedded: true)
        _ = embedded.accept()
        let closed = embedded.handle(.outputClosed)
        guard case .cancel(let run, let reason)? = closed.last else {
            Issue.record("no cancel")
            return
        }
        #expect((run, reason) == ("r1", "stdout was closed"))
        #expect(embedded.receive(.result(result(.cancelled))).exit == .outputClosed)
        #expect(SwellExit.outputClosed.rawValue == 141)

        var remote = FollowerDriver()
        _ = remote.accept()
        let left = remote.handle(.outputClosed)
        #expect(left.lines.first?.hasPrefix("stdout was closed: run r1 goes on on the coordinator") == true)
        #expect(left.exit == .outputClosed)
    }

    @Test func aStdoutThatCannotBeWrittenStopsAnEmbeddedRunAndFails() {
        var embedded = FollowerDriver(embedded: true)
        _ = embedded.accept()
        let failed = embedded.handle(.outputFailed("No space left on device"))
        guard case .cancel(let run, let reason)? = failed.last else {
            Issue.record("no cancel")
            return
        }
        #expect((run, reason) == ("r1", "stdout could not be written: No space left on device"))
        // What became of the run is said once the coordinator answers, not before.
        #expect(failed.lines.isEmpty, "\(failed.lines)")
        let cancelled = embedded.receive(.result(result(.cancelled)))
        #expect(cancelled.exit == .failed && cancelled.lines == ["run r1 stopped; its reports so far: swell logs r1",
                                                                 "to go on with it: swell run p.yaml --continue r1"], "\(cancelled.lines)")
        // A run that had finished before the cancel reached it (its sink outputs are printed
        // at its end) says only that: before, it said it "stops", then that it had succeeded.
        var late = FollowerDriver(embedded: true)
        _ = late.accept()
        let sent = late.handle(.outputFailed("it was closed when swell started"))
        #expect(sent.lines.isEmpty, "\(sent.lines)")
        let finished = late.receive(.result(result(.succeeded)))
        #expect(finished.exit == .failed)
        #expect(finished.lines == ["run r1 succeeded before it could be stopped; its outputs: swell logs r1"], "\(finished.lines)")
        // No answer in time: it stops, as far as this client can tell.
        var silent = FollowerDriver(embedded: true)
        _ = silent.accept()
        _ = silent.handle(.outputFailed("No space left on device"))
        let timedOut = silent.wait(RunFollower.cancelWait + .milliseconds(100))
        #expect(timedOut.exit == .failed && timedOut.lines == ["run r1 stops; its reports so far: swell logs r1",
                                                               "to go on with it: swell run p.yaml --continue r1"], "\(timedOut.lines)")

        var remote = FollowerDriver()
        _ = remote.accept()
        let left = remote.handle(.outputFailed("No space left on device"))
        #expect(left.lines.first?.hasPrefix("run r1 goes on on the coordinator") == true)
        #expect(left.exit == .failed)
    }

    @Test func anInterruptCancelsAnEmbeddedRunAndLeavesARemoteOneGoing() {
        var embedded = FollowerDriver(embedded: true)
        _ = embedded.accept()
        let interrupted = embedded.handle(.interrupted)
        #expect(interrupted.lines == ["interrupted: cancelling run r1"])
        guard case .cancel(let run, _)? = interrupted.last else {
            Issue.record("no cancel")
            return
        }
        #expect(run == "r1")
        // Cancelled: how its stages ended, that it was cancelled, and how to go on with it
        // (before, "cancelling" was its last word, and then no stage's end was said).
        let cancelled = embedded.receive(.result(result(.cancelled, outputs: [])))
        #expect(cancelled.exit == .interrupted && cancelled.lines == ["run r1 cancelled; its reports so far: swell logs r1",
                                                                      "to go on with it: swell run p.yaml --continue r1"], "\(cancelled.lines)")
        let ends = cancelled.compactMap { if case .event(let e) = $0, e.kind == .stageFinished { e.stage } else { nil } }
        #expect(ends == ["scan"])

        var slow = FollowerDriver(embedded: true)
        _ = slow.accept()
        _ = slow.handle(.interrupted)
        #expect(slow.wait(.milliseconds(2_900)).exit == nil)
        let late = slow.wait(.milliseconds(200))
        #expect(late.exit == .interrupted, "the cancel is waited for 3 s at most")
        // Then too it says how to go on (before, it ended with "cancelling").
        #expect(late.lines.last == "to go on with it: swell run p.yaml --continue r1", "\(late.lines)")
        // --json prints its object for a cancelled run too (before: nothing on stdout).
        var json = FollowerDriver(embedded: true, json: true)
        _ = json.accept()
        _ = json.handle(.interrupted)
        let object = json.receive(.result(result(.cancelled, outputs: []))).outputs.joined()
        #expect(object.contains("\"status\" : \"cancelled\""), "\(object)")

        var remote = FollowerDriver()
        _ = remote.accept()
        let left = remote.handle(.interrupted)
        #expect(left.lines.first?.hasPrefix("interrupted: run r1 goes on on the coordinator") == true)
        #expect(left.exit == .interrupted)
    }

    @Test func anInterruptBeforeTheRunIsAcceptedCancelsItOnceItIs() {
        var driver = FollowerDriver(embedded: true)
        #expect(driver.handle(.interrupted).isEmpty)
        let accepted = driver.accept()
        #expect(accepted.contains { if case .cancel = $0 { true } else { false } })
    }

    @Test func anEmbeddedFailureEndsTheRunWithItsReason() {
        var driver = FollowerDriver(embedded: true)
        _ = driver.accept()
        let failure = driver.handle(.failure("cannot write the journal /x: disk full")).failure
        #expect(failure?.exit == .failed)
        #expect(failure?.message == "the embedded coordinator stopped: cannot write the journal /x: disk full")
    }
}
