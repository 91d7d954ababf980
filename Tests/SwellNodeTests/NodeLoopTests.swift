import Foundation
import Testing
@testable import SwellCore
@testable import SwellNode
@testable import SwellPlan
@testable import SwellProtocol
import SwellSecurity

/// Drives a ``NodeLoop`` as ``NodeService`` does, with a clock of its own and no sockets or
/// processes, and keeps what it asks for.
struct NodeLoopDriver {
    let t0 = ContinuousClock.now
    var now: ContinuousClock.Instant
    var loop: NodeLoop
    var nextID: UInt64 = 1_000

    init(slots: Int = 2, allow: [String]? = nil) {
        now = t0
        let configuration = NodeConfiguration(
            join: "tcp://coordinator:7710", name: "n1", slots: slots, workingDirectory: "/work", transportHeartbeat: nil,
            allow: allow.map { AllowList($0) })
        loop = NodeLoop(configuration: configuration, incarnation: "n1-incarnation", inputDirectory: "/spool", at: t0)
    }

    var elapsed: Duration { now - t0 }

    mutating func id() -> UInt64 {
        nextID += 1
        return nextID
    }

    mutating func start() -> [NodeAction] { loop.start(at: now, jitter: 1) }

    mutating func handle(_ event: NodeEvent, jitter: Double = 1) -> [NodeAction] {
        loop.handle(event, at: now, jitter: jitter)
    }

    mutating func receive(_ message: Message) -> [NodeAction] { handle(.message(message)) }

    /// Moves the clock by `step`, with a tick.
    mutating func advance(_ step: Duration) -> [NodeAction] {
        now += step
        return handle(.tick)
    }

    /// Joins: the first HELLO, then a WELCOME with a 500 ms heartbeat.
    mutating func join() {
        _ = start()
        _ = receive(.welcome(Welcome(id: id(), replyTo: 1, name: "n1", coordinator: "c1", heartbeatMilliseconds: 500)))
    }

    mutating func assign(tasks: Int, kind: AssignmentKind = .share, share: Int = 0, first: Int = 0, width: Int = 10,
                         summarize: Command? = nil, stdinBytes: Int? = nil) -> (Assign, [NodeAction]) {
        let spec = TaskSpec(run: .shell("echo {scope}"), summarize: summarize, env: ["WHO": "{scope}"], timeoutMilliseconds: nil,
                            width: width, pacing: .rolling, input: .concat, vars: [:], outputCap: 1 << 20)
        let refs = (first..<(first + tasks)).map { TaskRef(index: $0, scope: "s\($0)", attempt: 1, retriesLeft: 0) }
        let assign = Assign(id: id(), run: "r", stage: "scan", kind: kind, share: share, attempt: 1, first: first, count: tasks,
                            firstScope: "s\(first)", lastScope: "s\(first + tasks - 1)", tasks: refs, done: [], elsewhere: [],
                            spec: spec, stdin: Data(), stdinBytes: stdinBytes)
        return (assign, receive(.assign(assign)))
    }

    /// A started task's process ends with `exit`.
    mutating func end(_ work: ProcessWork, exit: Int32 = 0, error: TaskError? = nil) -> [NodeAction] {
        let outcome = TaskOutcome(exitCode: error == nil ? exit : nil, signal: nil, timedOut: false, error: error,
                                  stdout: Data("out\n".utf8), stdoutBytes: 4, stdoutTruncated: false, stderrTail: Data(),
                                  startedAt: 1, endedAt: 2)
        return handle(.ended(work, outcome))
    }
}

extension [NodeAction] {
    var sent: [Message] { compactMap { if case .send(let m) = $0 { m } else { nil } } }
    var resent: [Message] { compactMap { if case .resend(let m) = $0 { m } else { nil } } }
    var started: [ProcessWork] { compactMap { if case .start(let w) = $0 { w } else { nil } } }
    var stopped: [ProcessKey] { compactMap { if case .stop(let k) = $0 { k } else { nil } } }
    var hellos: [Hello] { sent.compactMap { if case .hello(let h) = $0 { h } else { nil } } }
    var acks: [UInt64] { sent.compactMap { if case .ack(let a) = $0 { a.acks } else { nil } }.flatMap { $0 } }
    var warnings: [String] { compactMap { if case .log(.warning, let text) = $0 { text } else { nil } } }
    var inputRequests: [InputRequest] { sent.compactMap { if case .inputRequest(let r) = $0 { r } else { nil } } }
    var stored: [(InputKey, String, Data)] { compactMap { if case .storeInput(let k, let p, let d) = $0 { (k, p, d) } else { nil } } }
    var removed: [String] { compactMap { if case .removeInput(let p) = $0 { p } else { nil } } }
}

extension Message {
    var isReport: Bool { if case .report = self { true } else { false } }
    var isSummary: Bool { if case .summary = self { true } else { false } }
}

@Suite struct NodeLoopTests {
    @Test func helloIsSentAgainAfterHalfASecondThenDoublingToEightSeconds() {
        var node = NodeLoopDriver()
        #expect(node.start().hellos.count == 1)
        var times: [Duration] = []
        while node.elapsed < .seconds(40) {
            if !node.advance(.milliseconds(100)).hellos.isEmpty { times.append(node.elapsed) }
        }
        #expect(times == [0.5, 1.5, 3.5, 7.5, 15.5, 23.5, 31.5, 39.5].map { Duration.milliseconds(Int($0 * 1_000)) })
        #expect(node.loop.state == .joining)
    }

    /// A node whose last task ends says so at once, after the report: the coordinator's status
    /// does not show a finished run's tasks as running until the next heartbeat.
    @Test func theEndOfTheLastRunningTaskIsSaidAtOnce() {
        var node = NodeLoopDriver()
        node.join()
        let (_, assigned) = node.assign(tasks: 2, width: 2)
        #expect(assigned.started.count == 2)
        // A heartbeat that says 2 are running.
        let beat = node.advance(.milliseconds(600)).sent.compactMap { if case .heartbeat(let h) = $0 { h.running } else { nil } }
        #expect(beat == [2])
        // The first of the two ends: no extra heartbeat.
        #expect(!node.end(assigned.started[0]).sent.contains { if case .heartbeat = $0 { true } else { false } })
        // The last: its report, then a heartbeat that says none runs.
        let last = node.end(assigned.started[1]).sent
        let reportAt = last.firstIndex { $0.isReport }
        let idleAt = last.firstIndex { if case .heartbeat(let h) = $0 { h.running == 0 } else { false } }
        #expect(reportAt != nil && idleAt != nil && reportAt! < idleAt!, "\(last)")
        // Said once: the next end of nothing sends none, and the timer's heartbeats go on.
        let later = node.advance(.milliseconds(600)).sent.compactMap { if case .heartbeat(let h) = $0 { h.running } else { nil } }
        #expect(later == [0])
    }

    @Test func theJitterGivenSpreadsTheNextHello() {
        var node = NodeLoopDriver()
        _ = node.loop.start(at: node.now, jitter: 1.2)
        #expect(node.loop.nextHello == node.t0 + .milliseconds(600))
        node.now += .milliseconds(600)
        // Sent again with jitter 0.8: the next delay, 1 s, becomes 800 ms.
        #expect(node.handle(.tick, jitter: 0.8).hellos.count == 1)
        #expect(node.loop.nextHello == node.now + .milliseconds(800))
    }

    @Test func aWelcomeEndsTheJoiningAndIsAnsweredWithAHeartbeat() {
        var node = NodeLoopDriver()
        _ = node.start()
        let actions = node.receive(.welcome(Welcome(id: 5, replyTo: 1, name: "known-as", coordinator: "c1", heartbeatMilliseconds: 250)))
        #expect(node.loop.state == .up)
        #expect(node.loop.name == "known-as")
        #expect(actions.sent.contains { if case .heartbeat = $0 { true } else { false } })
        // Up: no more HELLO, a heartbeat every 250 ms (ticks of 100 ms: at 300, 600 and 900 ms).
        var heartbeats = 0
        for _ in 0..<10 {
            let tick = node.advance(.milliseconds(100))
            #expect(tick.hellos.isEmpty)
            heartbeats += tick.sent.filter { if case .heartbeat = $0 { true } else { false } }.count
            _ = node.receive(.heartbeat(Heartbeat(id: node.id(), running: 0)))
        }
        #expect(heartbeats == 3)
    }

    @Test func silenceAsLongAsTheCoordinatorAllowsMakesTheNodeJoinAgain() {
        var node = NodeLoopDriver()
        _ = node.start()
        _ = node.receive(.welcome(Welcome(id: node.id(), replyTo: 1, name: "n1", coordinator: "c1", heartbeatMilliseconds: 500,
                                          silenceMilliseconds: 3_000)))
        // Word from the coordinator at 1 s keeps the node up past 3 s.
        for _ in 0..<10 { _ = node.advance(.milliseconds(100)) }
        _ = node.receive(.heartbeat(Heartbeat(id: node.id(), running: 0)))
        var rejoinedAt: Duration?
        while rejoinedAt == nil, node.elapsed < .seconds(8) {
            let actions = node.advance(.milliseconds(100))
            if !actions.hellos.isEmpty {
                rejoinedAt = node.elapsed
                #expect(actions.warnings.contains { $0.contains("no word from the coordinator") && $0.contains("joining again") })
            }
        }
        // Not after 3 intervals of a slow coordinator: after the silence it counts a node down.
        #expect(rejoinedAt == .milliseconds(4_000))
        #expect(node.loop.state == .joining)
    }

    @Test func theNodesOwnStallIsNotTheCoordinatorsSilence() {
        var node = NodeLoopDriver()
        node.join()
        _ = node.advance(.milliseconds(100))
        // The node stands still for 8 s (SIGSTOP, no CPU), then its clock ticks again.
        let after = node.advance(.seconds(8))
        #expect(after.hellos.isEmpty)
        #expect(node.loop.state == .up)
        _ = node.receive(.heartbeat(Heartbeat(id: node.id(), running: 0)))
        for _ in 0..<20 { #expect(node.advance(.milliseconds(100)).hellos.isEmpty) }
    }

    @Test func outputThatWaitsForAcknowledgementHoldsNewTasksBack() throws {
        var node = NodeLoopDriver(slots: 2)
        node.join()
        let (_, actions) = node.assign(tasks: 3)
        #expect(actions.started.count == 2)
        // The first task ends with more output than a node lets wait for the coordinator.
        let big = TaskOutcome(exitCode: 0, signal: nil, timedOut: false, error: nil,
                              stdout: Data(count: NodeLoop.unacknowledgedOutputLimit + 1),
                              stdoutBytes: NodeLoop.unacknowledgedOutputLimit + 1, stdoutTruncated: false, stderrTail: Data(),
                              startedAt: 1, endedAt: 2)
        let ended = node.handle(.ended(actions.started[0], big))
        #expect(ended.started.isEmpty, "a slot is free, but the output waits")
        let report = try #require(ended.sent.first { $0.isReport })
        // Acknowledged: the third task starts.
        #expect(node.receive(.ack(Ack(id: node.id(), acks: [report.id]))).started.count == 1)
    }

    /// A large report goes out after a heartbeat that says its size (the coordinator then does
    /// not take the time it takes to arrive for silence), the first time and when resent; a
    /// small one goes alone.
    @Test func aLargeReportIsAnnouncedByAHeartbeatThatSaysItsSize() throws {
        var node = NodeLoopDriver(slots: 2)
        node.join()
        let (_, actions) = node.assign(tasks: 2)
        let bytes = NodeLoop.announcedFrom + 10
        let large = TaskOutcome(exitCode: 0, signal: nil, timedOut: false, error: nil, stdout: Data(count: bytes),
                                stdoutBytes: bytes, stdoutTruncated: false, stderrTail: Data(), startedAt: 1, endedAt: 2)
        let sent = node.handle(.ended(actions.started[0], large)).sent
        let reportAt = try #require(sent.firstIndex { $0.isReport })
        let announced = sent[..<reportAt].compactMap { if case .heartbeat(let h) = $0 { h.sending } else { nil } }
        #expect(announced.count == 1 && announced[0] >= bytes, "\(sent)")
        let small = node.end(actions.started[1]).sent
        #expect(!small.contains { if case .heartbeat(let h) = $0 { h.sending != nil } else { false } })
        // Not acknowledged, and the coordinator silent: the node joins again and resends it,
        // announced again.
        var hellos: [Hello] = []
        for _ in 0..<100 where hellos.isEmpty { hellos = node.advance(.milliseconds(100)).hellos }
        let hello = try #require(hellos.last)
        let again = node.receive(.welcome(Welcome(id: node.id(), replyTo: hello.id, name: "n1", coordinator: "c1",
                                                  heartbeatMilliseconds: 500)))
        let resentAnnounced = again.sent.contains { if case .heartbeat(let h) = $0 { (h.sending ?? 0) >= bytes } else { false } }
        #expect(again.resent.contains { $0.isReport } && resentAnnounced, "\(again)")
    }

    @Test func reportsThatWaitForAcknowledgementHoldNewTasksBack() throws {
        var node = NodeLoopDriver(slots: 10)
        node.join()
        let total = NodeLoop.unacknowledgedReportLimit + 20
        let (_, first) = node.assign(tasks: total)
        var running = first.started
        var reports: [UInt64] = []
        var ended = 0
        // Tasks end and their reports are not acknowledged (a coordinator that is behind).
        while let work = running.first, ended < NodeLoop.unacknowledgedReportLimit {
            running.removeFirst()
            let actions = node.end(work)
            reports += actions.sent.filter(\.isReport).map(\.id)
            running += actions.started
            ended += 1
        }
        #expect(reports.count == NodeLoop.unacknowledgedReportLimit)
        #expect(running.count == 10 - 1, "the slot of the last task to end stays free")
        // The coordinator catches up: the next tasks start.
        #expect(node.receive(.ack(Ack(id: node.id(), acks: reports))).started.count == 1)
    }

    @Test func aRejoinRefusalMakesAnUpNodeSayHelloWithWhatItHolds() {
        var node = NodeLoopDriver()
        node.join()
        let (assign, actions) = node.assign(tasks: 1)
        #expect(actions.started.count == 1)
        let again = node.receive(.refusal(Refusal(id: node.id(), replyTo: nil, code: .rejoin, message: "unknown peer")))
        #expect(again.hellos.map(\.holding) == [[assign.assignment]])
        #expect(node.loop.state == .joining)
    }

    /// A node the coordinator no longer admits (its key was removed) stops what it runs, since
    /// the coordinator has handed that work to others, and asks to join again.
    @Test func aNodeNoLongerAdmittedStopsItsTasks() {
        var node = NodeLoopDriver()
        node.join()
        let (_, actions) = node.assign(tasks: 2)
        #expect(actions.started.count == 2)
        let refused = node.receive(.refusal(Refusal(id: node.id(), replyTo: nil, code: .notAdmitted,
                                                    message: "this key is no longer in the coordinator's authorized file")))
        #expect(Set(refused.stopped) == Set(actions.started.map(\.key)))
        #expect(refused.hellos.map(\.holding) == [[]])
        #expect(node.loop.state == .joining)
        // The stopped tasks end with no report sent.
        #expect(node.end(actions.started[0], error: .cancelled).sent.filter(\.isReport).isEmpty)
    }

    @Test func whatIsNotAcknowledgedIsSentAgainAfterAWelcomeAndAfterTheResendDelay() {
        var node = NodeLoopDriver()
        node.join()
        let (_, actions) = node.assign(tasks: 1)
        let ended = node.end(actions.started[0])
        let report = try! #require(ended.sent.first { $0.isReport })
        let summary = try! #require(ended.sent.first { $0.isSummary })
        // The coordinator acknowledges the report only; after 2 s the summary goes again.
        _ = node.receive(.ack(Ack(id: node.id(), acks: [report.id])))
        var resent: [UInt64] = []
        while node.elapsed < .milliseconds(1_900) {
            resent += node.advance(.milliseconds(100)).resent.map(\.id)
            _ = node.receive(.heartbeat(Heartbeat(id: node.id(), running: 0)))
        }
        #expect(resent.isEmpty)
        while node.elapsed < .milliseconds(2_100) {
            resent += node.advance(.milliseconds(100)).resent.map(\.id)
        }
        #expect(resent == [summary.id])
        // The coordinator restarted: everything still unacknowledged goes again at its WELCOME.
        let welcome = node.receive(.welcome(Welcome(id: node.id(), replyTo: 1, name: "n1", coordinator: "c2", heartbeatMilliseconds: 500)))
        #expect(welcome.resent.map(\.id) == [summary.id])
        _ = node.receive(.ack(Ack(id: node.id(), acks: [summary.id])))
        let quiet = node.receive(.welcome(Welcome(id: node.id(), replyTo: 1, name: "n1", coordinator: "c2", heartbeatMilliseconds: 500)))
        #expect(quiet.resent.isEmpty)
    }

    @Test func aResentAssignIsAcknowledgedAgainButRunOnce() {
        var node = NodeLoopDriver()
        node.join()
        let (assign, first) = node.assign(tasks: 2)
        #expect(first.acks == [assign.id])
        #expect(first.started.count == 2)
        let again = node.receive(.assign(assign))
        #expect(again.acks == [assign.id])
        #expect(again.started.isEmpty)
    }

    @Test func aCancelIsAcknowledgedOnceItsProcessesHaveExited() {
        var node = NodeLoopDriver()
        node.join()
        let (assign, actions) = node.assign(tasks: 2)
        let cancel = Cancel(id: node.id(), run: "r", reason: "user")
        let stopping = node.receive(.cancel(cancel))
        #expect(Set(stopping.stopped) == Set(actions.started.map(\.key)))
        #expect(stopping.acks.isEmpty)
        let first = node.end(actions.started[0], error: .cancelled)
        #expect(first.acks.isEmpty)
        #expect(!first.sent.contains { $0.isReport }, "a cancelled share reports nothing more")
        let second = node.end(actions.started[1], error: .cancelled)
        #expect(second.acks == [cancel.id])
        // Nothing of the run left: a second cancel is acknowledged at once.
        let idle = node.receive(.cancel(Cancel(id: node.id(), run: "r", assignment: assign.assignment, reason: "")))
        #expect(idle.stopped.isEmpty)
        #expect(idle.acks.count == 1)
    }

    @Test func leavingStopsEveryProcessAndEndsWhenTheLeaveIsAcknowledgedOrAfterASecond() {
        for acknowledged in [true, false] {
            var node = NodeLoopDriver()
            node.join()
            let (_, actions) = node.assign(tasks: 1)
            let leaving = node.handle(.shutdown)
            #expect(leaving.stopped == actions.started.map(\.key))
            let leave = try! #require(leaving.sent.compactMap { if case .leave(let l) = $0 { l } else { nil } }.first)
            #expect(!node.loop.isIdle(at: node.now))
            _ = node.end(actions.started[0], error: .cancelled)
            #expect(!node.loop.isIdle(at: node.now), "the coordinator has not had the LEAVE yet")
            if acknowledged {
                _ = node.receive(.ack(Ack(id: node.id(), acks: [leave.id])))
                #expect(node.loop.isIdle(at: node.now))
            } else {
                #expect(node.loop.isIdle(at: node.now + .seconds(1)))
            }
            // A node that leaves takes no new work.
            #expect(node.assign(tasks: 1, share: 1, first: 1).1.started.isEmpty)
        }
    }

    @Test func recoveredWorkWaitsForAFreeSlotAndStartsBeforeTheNodesOwnNextTask() {
        var node = NodeLoopDriver(slots: 1)
        node.join()
        let (_, share) = node.assign(tasks: 2, width: 1)
        #expect(share.started.map(\.key.slot) == [0])
        let (_, retry) = node.assign(tasks: 1, kind: .retry, share: 3, first: 7)
        #expect(retry.started.isEmpty, "the only slot is taken")
        let next = node.end(share.started[0])
        #expect(next.started.map(\.key.slot) == [7])
        #expect(node.end(next.started[0]).started.map(\.key.slot) == [1])
    }

    @Test func aRelayedReportLetsAShareWaitingForItsRetryFinish() throws {
        var node = NodeLoopDriver()
        node.join()
        let spec = TaskSpec(run: .shell("true"), summarize: .shell("sort"), env: [:], timeoutMilliseconds: nil, width: 10,
                            pacing: .rolling, input: .concat, vars: [:], outputCap: 1 << 20)
        let assign = Assign(id: node.id(), run: "r", stage: "scan", kind: .share, share: 0, attempt: 1, first: 0, count: 2,
                            firstScope: "s0", lastScope: "s1", tasks: [TaskRef(index: 0, scope: "s0", attempt: 1, retriesLeft: 1)],
                            done: [], elsewhere: [1], spec: spec, stdin: Data())
        let actions = node.receive(.assign(assign))
        let afterTask = node.end(actions.started[0])
        #expect(afterTask.started.isEmpty, "task 1 runs elsewhere: no summary yet")
        let relayed = Report(run: "r", stage: "scan", index: 1, scope: "s1", attempt: 2, node: "n2", exitCode: 0, signal: nil,
                             timedOut: false, error: nil, startedAt: 0, endedAt: 0, stdoutBytes: 0, stdoutTruncated: false,
                             command: "true", stdout: Data("from n2\n".utf8), stderrTail: Data(), share: 0)
        let relay = ReportMessage(id: node.id(), report: relayed)
        let summarizing = node.receive(.relay(relay))
        #expect(summarizing.acks == [relay.id])
        let summarize = try #require(summarizing.started.first)
        #expect(summarize.purpose == .summarize)
        #expect(String(decoding: summarize.execution.stdin, as: UTF8.self) == "out\nfrom n2\n")
        #expect(node.end(summarize).sent.contains { $0.isSummary })
    }

    @Test func tasksGetTheirPlaceholdersAndEnvironmentAndTheAllowListIsApplied() throws {
        var node = NodeLoopDriver(allow: ["grep"])
        node.join()
        let (_, actions) = node.assign(tasks: 1)
        let work = try #require(actions.started.first)
        #expect(work.command == "echo s0")
        #expect(work.execution.environment["WHO"] == "s0")
        #expect(work.execution.environment["SWELL_SCOPE"] == "s0")
        #expect(work.execution.environment["SWELL_NODE"] == "n1")
        #expect(work.execution.workingDirectory == "/work")
        #expect(work.execution.refusal?.contains("echo") == true)
        #expect(actions.warnings.contains { $0.hasPrefix("refused a task") })
    }
}

@Suite struct NodeInputTests {
    func piece(_ request: InputRequest, _ text: String, last: Bool) -> Message {
        .input(InputChunk(id: 9_000 + request.id, replyTo: request.id, run: request.run, stage: request.stage, reduce: request.reduce,
                          offset: request.offset, data: Data(text.utf8), last: last))
    }

    @Test func aLargeInputIsFetchedPieceByPieceIntoAFileBeforeItsTasksStart() throws {
        var node = NodeLoopDriver(slots: 2)
        #expect(node.start().hellos.first?.fetchesInput == true)
        _ = node.receive(.welcome(Welcome(id: node.id(), replyTo: 1, name: "n1", coordinator: "c1", heartbeatMilliseconds: 500)))
        let (_, accepted) = node.assign(tasks: 2, stdinBytes: 6)
        #expect(accepted.started.isEmpty, "the tasks wait for their input")
        let first = try #require(accepted.inputRequests.first)
        #expect((first.run, first.stage, first.reduce, first.offset) == ("r", "scan", false, 0))

        let storing = node.receive(piece(first, "abc", last: false))
        let stored = try #require(storing.stored.first)
        #expect(stored.1 == "/spool/input-1")
        #expect(stored.2 == Data("abc".utf8))
        #expect(storing.inputRequests.isEmpty, "the next piece is asked for once this one is stored")
        // A copy of the same piece (a resent answer) while it is being stored is dropped.
        #expect(node.receive(piece(first, "abc", last: false)).stored.isEmpty)

        let next = try #require(node.handle(.inputStored(stored.0, bytes: 3)).inputRequests.first)
        #expect(next.offset == 3)
        let last = node.receive(piece(next, "def", last: true))
        #expect(last.started.isEmpty)
        let running = node.handle(.inputStored(stored.0, bytes: 3))
        #expect(running.started.count == 2)
        #expect(running.started.allSatisfy { $0.execution.stdinFile == "/spool/input-1" && $0.execution.stdin.isEmpty })

        // The file goes once the share is over.
        var ended: [NodeAction] = []
        for work in running.started { ended += node.end(work) }
        #expect(ended.removed == ["/spool/input-1"])
    }

    @Test func aLostRequestIsAskedAgainAndACancelRemovesTheFile() throws {
        var node = NodeLoopDriver(slots: 2)
        node.join()
        let (assign, accepted) = node.assign(tasks: 1, stdinBytes: 10)
        #expect(accepted.inputRequests.count == 1)
        #expect(node.advance(.milliseconds(500)).inputRequests.isEmpty)
        let again = node.advance(.milliseconds(1_600)).inputRequests
        #expect(again.map(\.offset) == [0], "no answer within the resend delay: asked again")
        let cancel = Cancel(id: node.id(), run: assign.run, reason: "run cancelled")
        let cancelled = node.receive(.cancel(cancel))
        #expect(cancelled.removed == ["/spool/input-1"])
        #expect(cancelled.acks.contains(cancel.id))
    }

    @Test func aWaitingAssignmentIsHeldInTheHelloAndAnInputThatCannotBeStoredIsKeptInMemory() throws {
        var node = NodeLoopDriver(slots: 2)
        node.join()
        let (assign, accepted) = node.assign(tasks: 2, stdinBytes: 10)
        let request = try #require(accepted.inputRequests.first)
        let rejoin = node.receive(.refusal(Refusal(id: node.id(), replyTo: nil, code: .rejoin, message: "unknown")))
        #expect(rejoin.hellos.first?.holding == [assign.assignment])
        _ = node.receive(.welcome(Welcome(id: node.id(), replyTo: 1, name: "n1", coordinator: "c2", heartbeatMilliseconds: 500)))
        let storing = node.receive(piece(request, "01234", last: false))
        let key = try #require(storing.stored.first?.0)
        // The disk is full: the file goes, and the input is asked for again from the start.
        let failed = node.handle(.inputFailed(key, "No space left on device"))
        #expect(failed.removed == ["/spool/input-1"])
        let again = try #require(failed.inputRequests.first)
        #expect(again.offset == 0)
        let rest = node.receive(piece(again, "01234", last: false))
        #expect(rest.stored.isEmpty, "into memory, not a file")
        let next = try #require(rest.inputRequests.first)
        #expect(next.offset == 5)
        let started = node.receive(piece(next, "56789", last: true)).started
        #expect(started.count == 2)
        #expect(started.allSatisfy { $0.execution.stdin == Data("0123456789".utf8) && $0.execution.stdinFile == nil })
    }
}

@Suite struct NodeLeaseTests {
    /// A share of a stage that `uses` a limit, on a node with 2 slots.
    static func leasedShare(_ node: inout NodeLoopDriver, tasks: Int) -> (Assign, [NodeAction]) {
        var spec = TaskSpec(run: .shell("agent {scope}"), summarize: nil, env: [:], timeoutMilliseconds: nil,
                            width: 10, pacing: .rolling, input: .concat, vars: [:], outputCap: 1 << 20)
        spec.leased = true
        let refs = (0..<tasks).map { TaskRef(index: $0, scope: "s\($0)", attempt: 1, retriesLeft: 0) }
        let assign = Assign(id: node.id(), run: "r", stage: "review", kind: .share, share: 0, attempt: 1, first: 0, count: tasks,
                            firstScope: "s0", lastScope: "s\(tasks - 1)", tasks: refs, done: [], elsewhere: [], spec: spec, stdin: Data())
        return (assign, node.receive(.assign(assign)))
    }

    static func leaseRequests(_ actions: [NodeAction]) -> [LeaseRef] {
        actions.sent.flatMap { message -> [LeaseRef] in if case .leaseRequest(let r) = message { r.tasks } else { [] } }
    }

    @Test func aTaskUnderALimitTakesASlotAndStartsOnlyWithItsLease() {
        var node = NodeLoopDriver(slots: 2)
        node.join()
        let (_, actions) = Self.leasedShare(&node, tasks: 3)
        #expect(actions.started.isEmpty)
        let asked = Self.leaseRequests(actions)
        #expect(asked.map(\.index) == [0, 1])
        // Unanswered, the request goes again after the resend delay.
        #expect(Self.leaseRequests(node.advance(.seconds(3))).map(\.index) == [0, 1])
        let started = node.receive(.lease(LeaseList(id: node.id(), tasks: [asked[1]]))).started
        #expect(started.map(\.key.slot) == [1])
        // A grant for a task the node does not wait for starts nothing.
        #expect(node.receive(.lease(LeaseList(id: node.id(), tasks: [LeaseRef(run: "r", stage: "review", index: 2, attempt: 1)]))).started.isEmpty)
    }

    @Test func leasedTasksStopAsInterruptedOnceTheCoordinatorIsSilentForTheLeaseHold() {
        var node = NodeLoopDriver(slots: 2)
        _ = node.start()
        _ = node.receive(.welcome(Welcome(id: node.id(), replyTo: 1, name: "n1", coordinator: "c1", heartbeatMilliseconds: 500,
                                          silenceMilliseconds: 3_000, leaseHoldMilliseconds: 10_000)))
        let (_, actions) = Self.leasedShare(&node, tasks: 1)
        let started = node.receive(.lease(LeaseList(id: node.id(), tasks: Self.leaseRequests(actions)))).started
        #expect(started.count == 1)
        var stops: [(ProcessKey, StopSignal.Reason)] = []
        while node.elapsed < .seconds(12), stops.isEmpty {
            stops = node.advance(.milliseconds(100)).compactMap { if case .stopFor(let key, let reason) = $0 { (key, reason) } else { nil } }
        }
        #expect(stops.count == 1)
        #expect(node.elapsed >= .seconds(10))
        if case .interrupted(let why)? = stops.first?.1 { #expect(why.contains("no word from the coordinator")) } else { Issue.record("\(stops)") }
    }
}

@Suite struct NodeDrainTests {
    @Test func aDrainStartsNothingMoreAndIsAcknowledgedAfterTheReportsOfWhatRan() throws {
        var node = NodeLoopDriver(slots: 2)
        node.join()
        let (assign, actions) = node.assign(tasks: 5, width: 2)
        let running = actions.started
        #expect(running.count == 2)
        let drain = Cancel(id: node.id(), run: assign.run, reason: "budget exhausted", drain: true)
        let drained = node.receive(.cancel(drain))
        #expect(drained.stopped.isEmpty)
        #expect(drained.acks.isEmpty)
        // The first ends: its report goes up, nothing new starts, no ack yet.
        let first = node.end(running[0])
        #expect(first.started.isEmpty)
        #expect(first.sent.contains { $0.isReport })
        #expect(!first.acks.contains(drain.id))
        // The last ends: its report, then the acknowledgement, in that order; still no summary.
        let last = node.end(running[1])
        let sent = last.sent
        let reportAt = try #require(sent.firstIndex { $0.isReport })
        let ackAt = try #require(sent.firstIndex { if case .ack(let ack) = $0 { ack.acks.contains(drain.id) } else { false } })
        #expect(reportAt < ackAt)
        #expect(!sent.contains { $0.isSummary })
        #expect(last.started.isEmpty)
    }

    @Test func aDrainForgetsAnAssignmentStillWaitingForItsInput() throws {
        var node = NodeLoopDriver(slots: 2)
        node.join()
        let (assign, accepted) = node.assign(tasks: 2, stdinBytes: 3)
        let request = try #require(accepted.inputRequests.first)
        let drained = node.receive(.cancel(Cancel(id: node.id(), run: assign.run, reason: "budget exhausted", drain: true)))
        #expect(drained.acks.count == 1, "nothing runs: acknowledged at once")
        // The input arrives after all: nothing starts.
        let stored = node.receive(.input(InputChunk(id: node.id(), replyTo: request.id, run: request.run, stage: request.stage,
                                                    reduce: false, offset: 0, data: Data("abc".utf8), last: true)))
        #expect(stored.stored.isEmpty && stored.started.isEmpty)
    }
}
