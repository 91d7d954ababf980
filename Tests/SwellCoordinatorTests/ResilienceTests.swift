import Foundation
import Logging
import Testing
@testable import SwellCoordinator
import SwellZMQ
@testable import SwellCore
@testable import SwellJournal
@testable import SwellPlan
@testable import SwellProtocol
import SwellSecurity
import SwellTestSupport
import SwellWire
import Synchronization

@Suite struct MembershipTests {
    @Test func aNodeIsJoiningUntilHeardFromAfterItsWelcome() {
        var h = SchedulerHarness()
        h.send("n1", .hello(Hello(id: 1, role: .node, name: "n1", incarnation: "p1", slots: 2)))
        #expect(h.scheduler.nodes["n1"]?.state == .joining)
        #expect(h.submit(itemsPlan(3)) != nil)
        #expect(h.assigns(h.take("n1")).isEmpty, "a joining node got work")
        h.send("n1", .heartbeat(Heartbeat(id: 2, running: 0)))
        #expect(h.scheduler.nodes["n1"]?.state == .up)
        #expect(!h.assigns(h.take("n1")).isEmpty)
    }

    /// Two live processes that say the same name (the host name, one key for many nodes) are
    /// two nodes, `n1` and `n1#2`, that keep their names as they heartbeat and join again; a
    /// process whose namesake has gone silent replaces it, as a restarted node does.
    @Test func twoLiveProcessesOfOneNameAreTwoNodesThatNeverFlap() {
        var h = SchedulerHarness()
        func hello(_ peer: String, _ name: String, _ incarnation: String) {
            h.send(peer, .hello(Hello(id: h.nextID(), role: .node, name: name, incarnation: incarnation, slots: 2)))
            h.send(peer, .heartbeat(Heartbeat(id: h.nextID(), running: 0)))
        }
        hello("peer-a", "n1", "a")
        hello("peer-b", "n1", "b")
        let welcomes = h.take("peer-b").compactMap { if case .welcome(let w) = $0 { w.name } else { nil } }
        #expect(welcomes == ["n1#2"])
        for _ in 0..<20 {
            h.advance(0.5)
            h.send("peer-a", .heartbeat(Heartbeat(id: h.nextID(), running: 0)))
            h.send("peer-b", .heartbeat(Heartbeat(id: h.nextID(), running: 0)))
        }
        // Joining again (a lost WELCOME, a coordinator that went quiet) keeps each its name.
        hello("peer-b", "n1#2", "b")
        hello("peer-a", "n1", "a")
        #expect(h.scheduler.nodes["n1"]?.incarnation == "a")
        #expect(h.scheduler.nodes["n1"]?.membership == 1)
        #expect(h.scheduler.nodes["n1#2"]?.incarnation == "b")
        #expect(h.scheduler.nodes["n1#2"]?.membership == 1)
        #expect(h.scheduler.nodes.values.filter(\.isLive).count == 2)
        // A third process of the name is n1#3.
        hello("peer-c", "n1", "c")
        #expect(h.scheduler.nodes["n1#3"]?.incarnation == "c")
        // n1 goes silent (killed) and a new process of the name comes: it is n1 again.
        h.advance(2)
        h.send("peer-b", .heartbeat(Heartbeat(id: h.nextID(), running: 0)))
        h.send("peer-c", .heartbeat(Heartbeat(id: h.nextID(), running: 0)))
        hello("peer-d", "n1", "d")
        #expect(h.scheduler.nodes["n1"]?.incarnation == "d")
        #expect(h.scheduler.nodes["n1#2"]?.incarnation == "b")
    }

    @Test func suspectThenRefutedStartsANewMembership() {
        var h = SchedulerHarness(settings: CoordinatorSettings(heartbeatInterval: .seconds(1), suspectAfterMissed: 3, downGrace: .seconds(1)))
        h.join("n1")
        #expect(h.scheduler.nodes["n1"]?.membership == 1)
        h.advance(3.05)
        #expect(h.scheduler.nodes["n1"]?.state == .suspect)
        h.send("n1", .heartbeat(Heartbeat(id: h.nextID(), running: 0)))
        #expect(h.scheduler.nodes["n1"]?.state == .up)
        #expect(h.scheduler.nodes["n1"]?.membership == 2)
        h.advance(4.1)
        #expect(h.scheduler.nodes["n1"]?.state == .down)
        // Down is final for this membership: a message without HELLO is refused.
        h.send("n1", .heartbeat(Heartbeat(id: h.nextID(), running: 0)))
        #expect(h.scheduler.nodes["n1"]?.state == .down)
        #expect(h.take("n1").contains { if case .refusal(let r) = $0 { r.code == .rejoin } else { false } })
    }

    @Test func timingsComeFromTheSettings() {
        var h = SchedulerHarness(settings: CoordinatorSettings(heartbeatInterval: .milliseconds(500), suspectAfterMissed: 2, downGrace: .seconds(3)))
        h.join("n1")
        h.advance(0.9)
        #expect(h.scheduler.nodes["n1"]?.state == .up)
        h.advance(0.2)
        #expect(h.scheduler.nodes["n1"]?.state == .suspect)
        h.advance(2.8)
        #expect(h.scheduler.nodes["n1"]?.state == .suspect)
        h.advance(0.2)
        #expect(h.scheduler.nodes["n1"]?.state == .down)
    }

    @Test func aCoordinatorThatStoodStillDoesNotCountItsNodesDown() throws {
        var h = SchedulerHarness()
        for n in 1...3 { h.join("n\(n)") }
        #expect(h.submit(itemsPlan(30)) != nil)
        h.advance(0.1)
        let before = h.scheduler.assignments.keys.sorted()
        // Stopped for 8 s (SIGSTOP, then SIGCONT): the first tick after it sees no word from
        // anyone for 8 s, longer than the 3 s after which a silent node is down.
        h.stall(8)
        for n in 1...3 { #expect(h.scheduler.nodes["n\(n)"]?.state == .up) }
        #expect(h.scheduler.assignments.keys.sorted() == before)
        // Its nodes speak again: nothing moved, nothing runs twice.
        for n in 1...3 { h.send("n\(n)", .heartbeat(Heartbeat(id: h.nextID(), running: 0))) }
        h.advance(1)
        for n in 1...3 { #expect(h.scheduler.nodes["n\(n)"]?.state == .up) }
        // A node that stays silent after the stall is still found out.
        for n in 1...2 { h.send("n\(n)", .heartbeat(Heartbeat(id: h.nextID(), running: 0))) }
        for _ in 0..<30 {
            h.advance(0.1)
            for n in 1...2 { h.send("n\(n)", .heartbeat(Heartbeat(id: h.nextID(), running: 0))) }
        }
        #expect(h.scheduler.nodes["n3"]?.state == .down)
        #expect(h.scheduler.nodes["n1"]?.state == .up)
    }

    @Test func aHelloThatWaitedInTheCoordinatorStartsTheNodesSilenceAtItsWelcome() throws {
        // A restarted coordinator reads its journal for seconds (rebuilding a large stdin)
        // while the nodes' HELLOs wait; a node cannot say anything before it is welcomed, so
        // its silence counts from the WELCOME, not from when its HELLO arrived.
        var h = SchedulerHarness()
        h.advance(0.1)
        for n in 1...2 {
            h.sendLate("n\(n)", .hello(Hello(id: h.nextID(), role: .node, name: "n\(n)", incarnation: "n\(n)-1", slots: 10)), arrivedAgo: 4)
        }
        h.advance(2.5)
        for n in 1...2 { #expect(h.scheduler.nodes["n\(n)"]?.isLive == true) }
        // A node that then says nothing at all is still found out.
        h.send("n1", .heartbeat(Heartbeat(id: h.nextID(), running: 0)))
        for _ in 0..<10 {
            h.advance(0.1)
            h.send("n1", .heartbeat(Heartbeat(id: h.nextID(), running: 0)))
        }
        #expect(h.scheduler.nodes["n2"]?.state == .down)
        #expect(h.scheduler.nodes["n1"]?.state == .up)
    }

    @Test func aNodeThatAsksForTooManySlotsIsToldItsShareAndKeepsItsTaskCountWhenItComesBack() throws {
        var h = SchedulerHarness()
        var effects = Effects()
        InboundFrames.deliver(WireCodec.encode(.hello(Hello(id: h.nextID(), role: .node, name: "big", incarnation: "big-1", slots: 50_000))),
                              from: Data("big".utf8), userID: nil, to: &h.scheduler, at: h.now, into: &effects)
        h.deliver(effects)
        #expect(effects.logs.map(\.1).contains { $0.contains("joined with 10000 slot(s) (it asked for 50000; 10000 is the most a node gets)") })
        h.send("big", .heartbeat(Heartbeat(id: h.nextID(), running: 0)))
        #expect(h.submit(itemsPlan(3)) != nil)
        for assign in h.assigns(h.take("big")) { h.complete(assign, on: "big") }
        #expect(h.scheduler.nodes["big"]?.tasksRun == 3)
        // Silent long enough to be counted down, then back as the same process.
        h.advance(4)
        #expect(h.scheduler.nodes["big"]?.state == .down)
        h.join("big", slots: 4, incarnation: "big-1")
        #expect(h.scheduler.nodes["big"]?.membership == 2)
        #expect(h.scheduler.nodes["big"]?.tasksRun == 3, "a node's count does not start over when it comes back")
    }

    @Test func aStallBeforeTheFirstTickIsTheCoordinatorsToo() throws {
        // A run whose first stage ends before the clock has ticked once, and whose next stage
        // takes seconds to start (a lines-of stage of a million lines): the loop stood still
        // from the batch it was handling, though it had never ticked.
        var h = SchedulerHarness()
        for n in 1...3 { h.join("n\(n)") }
        #expect(h.submit(itemsPlan(30)) != nil)
        #expect(h.scheduler.lastRan != nil)
        h.stall(4)
        for n in 1...3 { #expect(h.scheduler.nodes["n\(n)"]?.state == .up) }
    }

    @Test func aStallEndedByMessagesRatherThanATickIsExcusedToo() throws {
        // Resumed after SIGSTOP, the loop's first batch may hold only the messages that waited
        // (no tick yet): that batch must not hide the stall from the tick after it.
        var h = SchedulerHarness()
        for n in 1...3 { h.join("n\(n)") }
        #expect(h.submit(itemsPlan(30)) != nil)
        h.advance(0.1)
        h.clock += 8
        h.send("n1", .heartbeat(Heartbeat(id: h.nextID(), running: 0)))
        h.advance(0.1)
        for n in 1...3 { #expect(h.scheduler.nodes["n\(n)"]?.state == .up) }
    }

    @Test func aNodeSayingHelloAgainGetsOnlyTheWorkItDoesNotHold() throws {
        var h = SchedulerHarness()
        h.join("n1", slots: 4)
        #expect(h.submit(itemsPlan(40, stageExtra: "    width: 2\n")) != nil)
        let assigns = h.assigns(h.take("n1"))
        #expect(assigns.count == 2)
        // The same process says HELLO again (it heard nothing for a while), holding the first.
        h.send("n1", .hello(Hello(id: h.nextID(), role: .node, name: "n1", incarnation: "n1-1", slots: 4,
                                  holding: [assigns[0].assignment])))
        let again = h.assigns(h.take("n1"))
        #expect(again.map(\.assignment) == [assigns[1].assignment])
        #expect(h.scheduler.nodes["n1"]?.membership == 1)
    }

    /// While a node's announced large report can still be on its way, no node is judged by its
    /// silence (its heartbeats wait behind the report, the others' behind the coordinator's I/O
    /// taking it in); once the allowance is over, silence counts again.
    @Test func aNodeSendingAnAnnouncedLargeReportIsNotTakenForSilent() {
        var h = SchedulerHarness()
        h.join("n1")
        h.join("n2")
        // 256 MiB at the slowest link allowed (16 MiB/s): 16 s, plus the down grace.
        h.send("n1", .heartbeat(Heartbeat(id: h.nextID(), running: 1, sending: 256 << 20)))
        h.send("n2", .heartbeat(Heartbeat(id: h.nextID(), running: 1)))
        h.advance(10)
        #expect(h.scheduler.nodes["n1"]?.state == .up)
        // The coordinator's I/O, taking the report in, is late with the others' heartbeats too.
        #expect(h.scheduler.nodes["n2"]?.state == .up)
        h.advance(10)
        #expect(h.scheduler.nodes["n1"]?.state == .down, "the allowance ends")
        #expect(h.scheduler.nodes["n2"]?.state == .down)
    }

    @Test func nodesAreJudgedByWhenTheirMessagesArrivedNotWhenTheyWereHandled() {
        var h = SchedulerHarness()
        h.join("n1")
        // Messages wait in the coordinator for 5 s: the last one handled arrived 5 s ago, and
        // the node's own heartbeat just before it. Silent for 5 s by the clock, not by evidence.
        h.clock += 0.05
        var effects = Effects()
        let arrived = h.now.monotonic
        h.send("n1", .heartbeat(Heartbeat(id: h.nextID(), running: 0)))
        // The loop runs all along (it ticks), handling older messages.
        for _ in 0..<50 {
            h.clock += 0.1
            h.scheduler.tick(at: h.now, heardUntil: arrived, into: &effects)
        }
        #expect(h.scheduler.nodes["n1"]?.state == .up)
        // Caught up, with nothing newer from the node: it has been silent for 5 s.
        h.clock += 0.1
        h.scheduler.tick(at: h.now, into: &effects)
        #expect(h.scheduler.nodes["n1"]?.state == .down)
    }

    /// A coordinator whose state folder another one holds is refused before it touches the
    /// journal: two started at once must not race through its migrations.
    @Test func aTakenStateFolderIsRefusedBeforeTheJournalIsOpened() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let held = try StateLock(directory: directory)
        let io = try ZMQIOThread(context: ZMQContext())
        #expect(throws: StateLockError.self) {
            _ = try CoordinatorService(configuration: CoordinatorConfiguration(listen: ["tcp://127.0.0.1:0"], stateDirectory: directory),
                                       io: io, logger: Logger(label: "test"))
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/journal.sqlite"))
        _ = held
    }

    @Test func heartbeatsGoOutWhileTheLoopIsBusyAndStopWhenItHangs() async throws {
        let io = try ZMQIOThread(context: ZMQContext())
        let router = try await io.open(ZMQSocketConfiguration(kind: .router, heartbeat: nil, binds: ["tcp://127.0.0.1:0"]))
        let dealer = try await io.open(ZMQSocketConfiguration(kind: .dealer, routingID: Array("n1".utf8), heartbeat: nil,
                                                              connects: router.endpoints))
        var toRouter = router.inbound.makeAsyncIterator()
        dealer.send(WireCodec.encode(.heartbeat(Heartbeat(id: 1, running: 0))))
        _ = await toRouter.next()
        let received = Mutex(0)
        let reader = Task {
            for await message in dealer.inbound {
                if case .heartbeat = try? WireCodec.decode(message.frames) { received.withLock { $0 += 1 } }
            }
        }
        defer { reader.cancel() }
        func beating(_ beat: CoordinatorService.Beat, hungAfter: Duration) -> Task<Void, Never> {
            Task { await CoordinatorService.heartbeats(every: .milliseconds(20), beat, router, ids: CoordinatorService.ShellIDs(), hungAfter: hungAfter) }
        }
        let peers = [Data("n1".utf8)]
        // A loop that has finished nothing for longer than `hungAfter` is hung: over ten
        // intervals, not one heartbeat.
        let hung = beating(CoordinatorService.Beat(peers: peers, ranAt: .now - .seconds(3)), hungAfter: .seconds(2))
        try await Task.sleep(for: .milliseconds(200))
        hung.cancel()
        await hung.value
        #expect(received.withLock { $0 } == 0)
        // A busy loop (it finishes no batch meanwhile) has its heartbeats go out all the same.
        // (Not hung for a minute: a loaded test machine may start the task seconds late.)
        let busy = beating(CoordinatorService.Beat(peers: peers), hungAfter: .seconds(60))
        #expect(await eventually { received.withLock { $0 } >= 5 })
        busy.cancel()
        await busy.value
        await io.shutdown()
    }

    @Test func theCoordinatorNeverArmsLibzmqsPingTimer() {
        // libzmq 4.3.4 asserts in the ping timer on a connection that failed while its input was
        // stopped; the coordinator's socket sends no ZMTP pings (nodes do).
        for security in [nil, CoordinatorConfiguration.Security(publicKey: "p", secretKey: "s", authorized: AuthorizedKeys(entries: []))] {
            let configuration = CoordinatorConfiguration(listen: ["tcp://127.0.0.1:0"], stateDirectory: "/tmp", security: security)
            #expect(CoordinatorService.socketConfiguration(configuration).heartbeat == nil)
        }
    }

    @Test func aNodeCountedDownThatComesBackIsToldToDropItsOldWork() throws {
        var h = SchedulerHarness(settings: CoordinatorSettings(heartbeatInterval: .seconds(1), suspectAfterMissed: 3, downGrace: .seconds(1)))
        h.join("n1")
        h.join("n2")
        #expect(h.submit(itemsPlan(20)) != nil)
        let toN1 = h.take("n1")
        let held = try #require(h.assigns(toN1).first)
        for _ in 0..<45 {
            h.advance(0.1)
            h.send("n2", .heartbeat(Heartbeat(id: h.nextID(), running: 0)))
        }
        #expect(h.scheduler.nodes["n1"]?.state == .down)
        _ = h.take("n1")
        // n1 wakes up: its heartbeat is refused, it says HELLO with what it still holds.
        let holding = held.assignment
        h.join("n1", incarnation: "n1-1", holding: [holding])
        #expect(h.scheduler.nodes["n1"]?.membership == 2)
        let cancels = h.take("n1").compactMap { if case .cancel(let c) = $0 { c } else { nil } }
        #expect(cancels.map(\.assignment) == [holding])
    }
}

@Suite struct CancelTests {
    @Test func theClientIsAnsweredOnceEveryNodeConfirms() throws {
        var h = SchedulerHarness()
        h.join("n1")
        h.join("n2")
        let submitted = h.submit(itemsPlan(10))
        let run = try #require(submitted)
        _ = h.take("n1")
        _ = h.take("n2")
        let request = h.nextID()
        h.send("client", .cancel(Cancel(id: request, run: run, reason: "user")))
        func clientAcked(_ messages: [Message]) -> Bool {
            messages.contains { if case .ack(let a) = $0 { a.acks.contains(request) } else { false } }
        }
        #expect(!clientAcked(h.take("client")))
        let toN1 = h.take("n1")
        let toN2 = h.take("n2")
        let c1 = try #require(toN1.compactMap { if case .cancel(let c) = $0 { c } else { nil } }.first)
        let c2 = try #require(toN2.compactMap { if case .cancel(let c) = $0 { c } else { nil } }.first)
        h.send("n1", .ack(Ack(id: h.nextID(), acks: [c1.id])))
        #expect(!clientAcked(h.take("client")))
        h.send("n2", .ack(Ack(id: h.nextID(), acks: [c2.id])))
        #expect(clientAcked(h.take("client")))
    }

    @Test func aNodeThatNeverConfirmsDoesNotHoldTheClientForever() throws {
        var h = SchedulerHarness()
        h.join("n1")
        let submitted = h.submit(itemsPlan(4))
        let run = try #require(submitted)
        let request = h.nextID()
        h.send("client", .cancel(Cancel(id: request, run: run, reason: "user")))
        // The stage's stop grace (5 s: its tasks may take that long to end), then 5 s more.
        for _ in 0..<50 {
            h.advance(0.1)
            h.send("n1", .heartbeat(Heartbeat(id: h.nextID(), running: 1)))
        }
        #expect(!h.take("client").contains { if case .ack(let a) = $0 { a.acks.contains(request) } else { false } })
        for _ in 0..<52 {
            h.advance(0.1)
            h.send("n1", .heartbeat(Heartbeat(id: h.nextID(), running: 1)))
        }
        #expect(h.take("client").contains { if case .ack(let a) = $0 { a.acks.contains(request) } else { false } })
    }
}

@Suite struct ResumeTests {
    func directory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID())").path
    }

    /// n1 and n2 run shares; n2 finishes; n1 has two tasks journaled and one finished whose
    /// report was still in its outbox when the coordinator died.
    func crashedRun() async throws -> (snapshots: [RunSnapshot], share: Assign, pending: Report, dir: String) {
        var h = SchedulerHarness()
        h.join("n1")
        h.join("n2")
        #expect(h.submit(itemsPlan(8, stageExtra: "    summarize: cat\n")) != nil)
        let toN1 = h.take("n1")
        let share = try #require(h.assigns(toN1).first)
        #expect(share.tasks.count >= 3)
        for task in share.tasks.prefix(2) {
            h.send("n1", .report(ReportMessage(id: h.nextID(), report: h.report(share, task, on: "n1", out: "\(task.scope)\n"))))
        }
        h.drain(["n2"], summary: { "summary\($0.share)\n" })
        let pending = h.report(share, share.tasks[2], on: "n1", out: "\(share.tasks[2].scope)\n")
        let dir = directory()
        return (try await h.crash(into: dir), share, pending, dir)
    }

    @Test func aRestartedCoordinatorAdoptsWorkInFlightAndNeverRunsFinishedTasksAgain() async throws {
        let (snapshots, share, pending, dir) = try await crashedRun()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(snapshots.count == 1)
        var h = SchedulerHarness()
        h.restore(snapshots)
        // The waiting client attaches again.
        h.send("client", .hello(Hello(id: h.nextID(), role: .client, name: "c", incarnation: "c2")))
        h.send("client", .attach(Attach(id: h.nextID(), run: share.run, taskEvents: false)))
        #expect(h.take("client").contains { if case .accepted(let a) = $0 { a.run == share.run } else { false } })
        // n1 comes back holding its share: adopted, not handed out again.
        let holding = share.assignment
        h.join("n1", incarnation: "n1-1", holding: [holding])
        h.join("n2", incarnation: "n2-1")
        let toN1 = h.take("n1")
        #expect(h.assigns(toN1).isEmpty)
        #expect(!toN1.contains { if case .cancel = $0 { true } else { false } })
        #expect(h.assigns(h.take("n2")).isEmpty, "n2 was given work that n1 still holds")
        // Its outbox arrives: the report that was lost with the crash is taken.
        h.send("n1", .report(ReportMessage(id: h.nextID(), report: pending)))
        #expect(h.journal.reports.map(\.0.index) == [pending.index])
        for task in share.tasks.dropFirst(3) {
            h.send("n1", .report(ReportMessage(id: h.nextID(), report: h.report(share, task, on: "n1", out: "\(task.scope)\n"))))
        }
        h.send("n1", .summary(SummaryMessage(id: h.nextID(), attempt: share.attempt, summary: ShareSummary(
            run: share.run, stage: share.stage, share: share.share, first: share.first, count: share.count,
            firstScope: share.firstScope, lastScope: share.lastScope, node: "n1", exitCode: 0, error: nil,
            output: Data("summary\(share.share)\n".utf8)), summarized: true)))
        // Every task ran once: the reduction is all that is left, over the summaries in share order.
        let reduces = h.drain(["n1", "n2"])
        #expect(reduces.count == 1)
        let shares = h.scheduler.runs.values.first!.stages[0].shares.count
        #expect(String(decoding: reduces[0].stdin, as: UTF8.self) == (0..<shares).map { "summary\($0)\n" }.joined())
        #expect(h.journal.reports.filter { $0.0.index >= 0 }.count == share.tasks.count - 2)
        #expect(h.result()?.status == .succeeded)
    }

    @Test func workWhoseNodeDoesNotComeBackRunsElsewhereWithWhatWasJournaled() async throws {
        let (snapshots, share, _, dir) = try await crashedRun()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var h = SchedulerHarness()
        h.restore(snapshots)
        h.join("n2", incarnation: "n2-1")
        #expect(h.assigns(h.take("n2")).isEmpty)
        for _ in 0..<101 {
            h.advance(0.1)
            h.send("n2", .heartbeat(Heartbeat(id: h.nextID(), running: 0)))
        }
        let toN2 = h.take("n2")
        let again = try #require(h.assigns(toN2).first)
        #expect(again.share == share.share)
        #expect(again.attempt == share.attempt + 1)
        #expect(again.done.map(\.index) == share.tasks.prefix(2).map(\.index))
        #expect(again.done.map { String(decoding: $0.stdout, as: UTF8.self) } == share.tasks.prefix(2).map { "\($0.scope)\n" })
        #expect(again.tasks.map(\.index) == share.tasks.dropFirst(2).map(\.index))
    }

    @Test func workANodeNoLongerHoldsGoesBackToThePoolWhenItJoins() async throws {
        let (snapshots, share, _, dir) = try await crashedRun()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var h = SchedulerHarness()
        h.restore(snapshots)
        // n1 comes back without the share (its ASSIGN never arrived): no need to wait.
        h.join("n1", incarnation: "n1-1")
        let again = h.assigns(h.take("n1"))
        #expect(again.first?.share == share.share)
        #expect(again.first?.attempt == share.attempt + 1)
    }

    @Test(arguments: [false, true])
    func aSinkThatFinishedBeforeARestartStillHasItsOutput(synthesizes: Bool) async throws {
        var h = SchedulerHarness()
        h.join("n1")
        let plan = "name: p\nstages:\n  - id: a\n    partition: { items: [x, y] }\n    run: echo\n"
            + (synthesizes ? "    synthesize: sort\n" : "")
            + "  - id: b\n    partition: { items: [z] }\n    run: echo\n"
        #expect(h.submit(plan) != nil)
        let assigns = h.assigns(h.take("n1"))
        let a = try #require(assigns.first { $0.stage == "a" })
        h.complete(a, on: "n1")
        if synthesizes {
            let reduce = try #require(h.assigns(h.take("n1")).first { $0.kind == .reduce })
            h.complete(reduce, on: "n1", out: { _ in "reduced\n" })
        }
        // Stage a is done; b's share is lost with the crash.
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var restarted = SchedulerHarness()
        restarted.restore(try await h.crash(into: dir))
        let run = try #require(restarted.scheduler.runOrder.first)
        restarted.send("client", .hello(Hello(id: restarted.nextID(), role: .client, name: "c", incarnation: "c2")))
        restarted.send("client", .attach(Attach(id: restarted.nextID(), run: run, taskEvents: false)))
        restarted.join("n9")
        for _ in 0..<101 { restarted.advance(0.1); restarted.send("n9", .heartbeat(Heartbeat(id: restarted.nextID(), running: 0))) }
        _ = restarted.drain(["n9"])
        let (outputs, result) = try await restarted.outputs(journalIn: dir)
        #expect(result?.status == .succeeded)
        #expect(outputs == [Data((synthesizes ? "reduced\n" : "x\ny\n").utf8), Data("z\n".utf8)],
                "the sink that finished before the restart lost its output")
        // Its counts are still its tasks'.
        let counts = try #require(result?.stages.first { $0.id == "a" }?.counts)
        #expect((counts.tasks, counts.succeeded, counts.failed) == (2, 2, 0))
    }

    @Test func aClientThatAttachesToARunFinishedBeforeARestartGetsTheRestOfItsOutputAndItsResult() async throws {
        // `swell run` was still printing a finished run's output when the coordinator was
        // killed: once it is back, the run comes from the journal.
        var h = SchedulerHarness()
        h.join("n1")
        let plan = "name: p\nstages:\n  - id: a\n    partition: { items: [x, y, z] }\n    run: echo\n    on-failure: continue\n  - id: b\n    run: echo\n"
        let submitted = h.submit(plan)
        let run = try #require(submitted)
        for assign in h.assigns(h.take("n1")) {
            h.complete(assign, on: "n1", exit: { $0.scope == "y" ? 1 : 0 })
        }
        #expect(h.result()?.status == .failed)
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var restarted = SchedulerHarness()
        restarted.restore(try await h.crash(into: dir))
        #expect(restarted.scheduler.runs.isEmpty, "a finished run is not resumed")
        restarted.send("client", .hello(Hello(id: restarted.nextID(), role: .client, name: "c", incarnation: "c2")))
        restarted.send("client", .attach(Attach(id: restarted.nextID(), run: run, taskEvents: false, outputFrom: [2])))
        // The shell finds it in the journal and hands it back.
        let asked = try #require(restarted.queries.compactMap { query -> (Data, Attach)? in
            if case .finishedRun(let peer, let attach) = query { return (peer, attach) }
            return nil
        }.first)
        let journal = try Journal(directory: dir)
        let record = try #require(try journal.run(run))
        var effects = Effects()
        restarted.scheduler.attach(asked.0, asked.1, finished: try restarted.mapper.finished(record, in: journal),
                                   restarted.now, &effects)
        restarted.deliver(effects)
        let (outputs, result) = try await restarted.outputs(journalIn: dir)
        #expect(outputs == [Data("y\nz\n".utf8), Data("\n".utf8)], "the rest of the first sink, from byte 2, and the second")
        #expect(result?.status == .failed)
        let counts = try #require(result?.stages.first { $0.id == "a" }?.counts)
        #expect((counts.tasks, counts.succeeded, counts.failed) == (3, 2, 1))
    }

    @Test func finishedStagesKeepTheirOutputsAndLaterStagesStart() async throws {
        var h = SchedulerHarness()
        h.join("n1")
        #expect(h.submit("name: p\nstages:\n  - id: a\n    run: ls\n  - id: b\n    needs: [a]\n    run: cat\n") != nil)
        let first = h.take("n1")
        let a = try #require(h.assigns(first).first)
        h.complete(a, on: "n1", out: { _ in "from a\n" })
        _ = h.assigns(h.take("n1"))  // b's assignment, lost with the crash
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var restarted = SchedulerHarness()
        restarted.restore(try await h.crash(into: dir))
        restarted.join("n9")
        for _ in 0..<101 { restarted.advance(0.1); restarted.send("n9", .heartbeat(Heartbeat(id: restarted.nextID(), running: 0))) }
        let toN9 = restarted.assigns(restarted.take("n9"))
        let b = try #require(toN9.first)
        #expect(b.stage == "b")
        #expect(b.stdin == Data("from a\n".utf8))
        #expect(toN9.allSatisfy { $0.stage != "a" }, "the finished stage ran again")
    }
}
