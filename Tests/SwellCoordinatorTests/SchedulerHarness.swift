import Foundation
import Logging
import Testing
@testable import SwellCoordinator
@testable import SwellJournal
@testable import SwellCore
@testable import SwellPlan
@testable import SwellProtocol
@testable import SwellWire

/// Drives a ``Scheduler`` with encoded messages, as the shell would, and keeps what it sends.
struct SchedulerHarness {
    var scheduler: Scheduler
    /// The scheduler's clock: `origin`, plus `clock` seconds.
    let origin = ContinuousClock.now
    var clock = 0.0
    var ids: UInt64 = 100
    /// Everything sent, per peer, decoded.
    var outbox: [String: [Message]] = [:]
    var journal = Journal_Batches()
    /// RESULTs handed to the shell to deliver.
    var deliveries: [Delivery] = []
    /// Every query handed to the shell, in order.
    var queries: [JournalQuery] = []
    /// Every line logged, in order.
    var logs: [String] = []
    /// The ZAP User-Id each peer's messages carry (CURVE-admitted peers), by peer.
    var userIDs: [String: String] = [:]
    /// How long tasks ran in the plan's earlier run, by stage, then scope: the shell's answer
    /// when a fan-out starts (none: no earlier run).
    var durationHistory: [String: [String: Double]] = [:]
    /// Whether those queries are answered (else the test answers them).
    var answersDurations = true
    /// Whether `lines-of` stages' scopes are split when asked, as the shell does (else the
    /// test hands them back with ``splitAsked()``).
    var answersSplits = true

    struct Journal_Batches {
        var reports: [(Report, Bool)] = []
        /// Every batch, in order, to replay into a real journal.
        var batches: [JournalBatch] = []
    }

    init(settings: CoordinatorSettings = CoordinatorSettings()) {
        scheduler = Scheduler(settings: settings, incarnation: "coordinator", seed: 1)
    }

    let mapper = JournalMapper(origin: .coordinator)

    var now: Moment { Moment(monotonic: origin + .seconds(clock), wall: 1_000_000 + clock) }

    mutating func nextID() -> UInt64 {
        ids += 1
        return ids
    }

    mutating func deliver(_ effects: Effects) {
        for (peer, message) in effects.sends {
            // Through the codec, as on the wire.
            outbox[String(decoding: peer, as: UTF8.self), default: []].append(try! WireCodec.decode(WireCodec.encode(message)))
        }
        for (peer, acks) in effects.acks {
            outbox[String(decoding: peer, as: UTF8.self), default: []].append(.ack(Ack(id: 0, acks: acks)))
        }
        queries += effects.queries
        logs += effects.logs.map(\.message)
        for query in effects.queries {
            switch query {
            case .streamOutput(let peer, _, let sinks, let result?, let from):
                deliveries.append(Delivery(peer: String(decoding: peer, as: UTF8.self), result: result, sinks: sinks, from: from))
            case .outputAdvanced(_, let peers, let sinks, let result?):
                for peer in peers {
                    deliveries.append(Delivery(peer: String(decoding: peer, as: UTF8.self), result: result, sinks: sinks, from: nil))
                }
            case .status(let peer, let reply):
                // As the shell sends it, without runs from a journal.
                outbox[String(decoding: peer, as: UTF8.self), default: []].append(.status(reply))
            default:
                break
            }
        }
        for change in effects.changes {
            if case .reportReceived(let report, let final) = change { journal.reports.append((report, final)) }
        }
        journal.batches.append(mapper.batch(effects.changes))
        // As the shell answers them: at once, after what came with them.
        for case .durations(let run, let stage, _, _) in effects.queries where answersDurations {
            var more = Effects()
            scheduler.learnDurations(run, stage: stage, durationHistory[stage] ?? [:], now, &more)
            deliver(more)
        }
        if answersSplits { splitAsked(in: effects.queries) }
    }

    /// Splits the scopes of the `lines-of` stages asked for in `queries` (all asked so far when
    /// nil) and hands them back, as the shell's task does.
    mutating func splitAsked(in queries: [JournalQuery]? = nil) {
        for case .splitLines(let run, let stage, let source, let output, let cut) in queries ?? self.queries {
            var more = Effects()
            scheduler.scopesSplit(run, stage: stage, LinesOf.scopes(from: output, cut: cut, stage: stage, source: source), now, &more)
            scheduler.settle(at: now, into: &more)
            deliver(more)
        }
    }

    mutating func send(_ peer: String, _ message: Message) {
        var effects = Effects()
        InboundFrames.deliver(WireCodec.encode(message), from: Data(peer.utf8), userID: userIDs[peer], to: &scheduler, at: now, into: &effects)
        scheduler.settle(at: now, into: &effects)
        deliver(effects)
    }

    /// A message that arrived `seconds` ago and waited in the coordinator (busy, or still
    /// reading its journal) until now.
    mutating func sendLate(_ peer: String, _ message: Message, arrivedAgo seconds: Double) {
        var effects = Effects()
        let arrived = Moment(monotonic: now.monotonic - .seconds(seconds), wall: now.wall - seconds)
        InboundFrames.deliver(WireCodec.encode(message), from: Data(peer.utf8), userID: userIDs[peer], to: &scheduler, at: arrived, into: &effects)
        scheduler.settle(at: now, into: &effects)
        deliver(effects)
    }

    mutating func sendRaw(_ peer: String, _ frames: [Data]) {
        var effects = Effects()
        InboundFrames.deliver(frames, from: Data(peer.utf8), userID: userIDs[peer], to: &scheduler, at: now, into: &effects)
        scheduler.settle(at: now, into: &effects)
        deliver(effects)
    }

    /// Moves the clock on by `seconds`, ticking every 100 ms as the shell does (a longer gap
    /// between ticks is the coordinator's own stall; see ``stall(_:)``).
    mutating func advance(_ seconds: Double) {
        let end = clock + seconds
        while clock < end - 1e-9 {
            clock = min(end, clock + 0.1)
            var effects = Effects()
            scheduler.tick(at: now, into: &effects)
            deliver(effects)
        }
    }

    /// The coordinator stands still for `seconds` (stopped, starved of CPU), then ticks.
    mutating func stall(_ seconds: Double) {
        clock += seconds
        var effects = Effects()
        scheduler.tick(at: now, into: &effects)
        deliver(effects)
    }

    /// Messages sent to `peer` since the last call.
    mutating func take(_ peer: String) -> [Message] {
        defer { outbox[peer] = [] }
        return outbox[peer] ?? []
    }

    /// A node says HELLO, then its first heartbeat (which makes it `up`).
    mutating func join(_ name: String, slots: Int = 10, labels: [String] = [], incarnation: String? = nil,
                       holding: [AssignmentID] = [], fetchesInput: Bool? = nil) {
        send(name, .hello(Hello(id: nextID(), role: .node, name: name, incarnation: incarnation ?? "\(name)-1",
                                slots: slots, labels: labels, holding: holding, fetchesInput: fetchesInput)))
        send(name, .heartbeat(Heartbeat(id: nextID(), running: 0)))
    }

    /// Connects a client and submits `plan`; returns the run id.
    mutating func submit(_ plan: String, scopes: [String: [String]] = [:], client: String = "client") -> String? {
        send(client, .hello(Hello(id: nextID(), role: .client, name: "c", incarnation: "c1")))
        send(client, .submit(Submit(id: nextID(), plan: plan, file: "plan.yaml", overrides: [],
                                    scopes: scopes, taskEvents: true)))
        for message in take(client) {
            if case .accepted(let accepted) = message { return accepted.run }
        }
        return nil
    }

    func assigns(_ messages: [Message]) -> [Assign] {
        messages.compactMap { if case .assign(let a) = $0 { a } else { nil } }
    }

    /// Reports every task of `assign` as done by `node`, with stdout `scope\n` (or `out`).
    mutating func complete(_ assign: Assign, on node: String, order: [Int]? = nil, out: ((TaskRef) -> String)? = nil,
                           exit: ((TaskRef) -> Int32)? = nil, summary: String? = nil) {
        let tasks = order.map { o in o.map { assign.tasks[$0] } } ?? assign.tasks
        for task in tasks {
            send(node, .report(ReportMessage(id: nextID(), report: report(assign, task, on: node,
                out: out?(task) ?? task.scope + "\n", exit: exit?(task) ?? 0))))
        }
        if assign.kind == .share {
            let s = ShareSummary(run: assign.run, stage: assign.stage, share: assign.share, first: assign.first,
                                 count: assign.count, firstScope: assign.firstScope, lastScope: assign.lastScope,
                                 node: node, exitCode: 0, error: nil, output: Data((summary ?? "").utf8))
            send(node, .summary(SummaryMessage(id: nextID(), attempt: assign.attempt, summary: s, summarized: summary != nil)))
        }
    }

    func report(_ assign: Assign, _ task: TaskRef, on node: String, out: String, exit: Int32 = 0) -> Report {
        Report(run: assign.run, stage: assign.stage, index: task.index, scope: task.scope, attempt: task.attempt, node: node,
               exitCode: exit, signal: nil, timedOut: false, error: nil, startedAt: 0, endedAt: 0,
               stdoutBytes: out.utf8.count, stdoutTruncated: false, command: "x", stdout: Data(out.utf8), stderrTail: Data())
    }

    /// Completes every outstanding assignment of `nodes` until none is left, newest first (so
    /// that later shares finish before earlier ones), summarizing each share as `summary` says.
    /// Returns the reduce assignments seen, completed with `reduced`.
    @discardableResult
    mutating func drain(_ nodes: [String], summary: ((Assign) -> String)? = nil,
                        reduced: String = "reduced\n") -> [Assign] {
        var reduces: [Assign] = []
        while true {
            var pending: [(String, Assign)] = []
            for node in nodes { pending += assigns(take(node)).map { (node, $0) } }
            if pending.isEmpty { return reduces }
            for (node, assign) in pending.reversed() {
                if assign.kind == .reduce {
                    reduces.append(assign)
                    complete(assign, on: node, out: { _ in reduced })
                } else {
                    complete(assign, on: node, order: Array(assign.tasks.indices.reversed()), summary: summary?(assign))
                }
            }
        }
    }

    /// The result last delivered to `client` (its sink outputs go from the journal; see
    /// ``outputs(_:)``).
    mutating func result(_ client: String = "client") -> RunResult? {
        deliveries.last { $0.peer == client }?.result
    }
}

/// A RESULT the scheduler asked the shell to deliver, with where its outputs are.
struct Delivery {
    var peer: String
    var result: RunResult
    var sinks: [SinkProgress]
    var from: [Int]?
}

extension SchedulerHarness {
    /// The sink outputs of the result last delivered to `client`, as the shell streams them:
    /// the journal written so far is replayed into a real journal, and OUTPUT pieces are read
    /// from it and acknowledged one by one. Also returns the RESULT that came after them.
    ///
    /// - Parameter directory: a journal already holding what came before (a restarted
    ///   coordinator's); by default a fresh one.
    func outputs(_ client: String = "client", from: [Int]? = nil,
                 journalIn directory: String? = nil) async throws -> (outputs: [Data], result: RunResult?) {
        guard let delivery = deliveries.last(where: { $0.peer == client }) else { return ([], nil) }
        let (journal, cleanup) = try await replayedJournal(in: directory)
        defer { cleanup() }
        let sent = SentMessages()
        let streams = OutputStreams(journal: journal, logger: Logger(label: "test")) { _, message in sent.messages.append(message) }
        let from = from ?? delivery.from
        streams.start(Data(client.utf8), run: delivery.result.run, sinks: delivery.sinks, result: delivery.result, from: from)
        var outputs = Array(repeating: Data(), count: delivery.result.sinks.count)
        var result: RunResult?
        while !sent.messages.isEmpty {
            let message = sent.messages.removeFirst()
            switch message {
            case .output(let piece):
                #expect(piece.data.count <= OutputStreams.pieceSize)
                let skipped = from.flatMap { $0.indices.contains(piece.sink) ? $0[piece.sink] : nil } ?? 0
                #expect(piece.offset == outputs[piece.sink].count + skipped)
                outputs[piece.sink].append(piece.data)
                streams.acknowledged(Data(client.utf8), [piece.id])
            case .result(let r):
                result = r
            default:
                Issue.record("unexpected \(message.type)")
            }
        }
        #expect(streams.count == 0)
        return (outputs, result)
    }
}

extension SchedulerHarness {
    /// A real journal with every batch so far written into it: in `directory`, added to what is
    /// there, else in a fresh temporary folder; `cleanup` removes the folder it made.
    func replayedJournal(in directory: String? = nil) async throws -> (Journal, cleanup: () -> Void) {
        let folder = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("swell-journal-\(UUID().uuidString)").path
        let journal = try Journal(directory: folder)
        for batch in journal_batches { try await journal.write(batch) }
        return (journal, { if directory == nil { try? FileManager.default.removeItem(atPath: folder) } })
    }
}

/// Messages an ``OutputStreams`` sent, in a test.
final class SentMessages: @unchecked Sendable {
    var messages: [Message] = []
}

extension SchedulerHarness {
    /// Writes every journal batch so far into a real journal in `directory`, as the shell would
    /// have before a crash, and reads back the unfinished runs as a restarted coordinator does.
    func crash(into directory: String) async throws -> [RunSnapshot] {
        let journal = try Journal(directory: directory)
        for batch in journal_batches { try await journal.write(batch) }
        return try journal.unfinishedRuns().map { try mapper.snapshot(of: $0, in: journal) }
    }

    var journal_batches: [JournalBatch] { journal.batches }

    mutating func restore(_ snapshots: [RunSnapshot]) {
        var effects = Effects()
        for snapshot in snapshots { scheduler.restore(snapshot, at: now, into: &effects) }
        deliver(effects)
    }
}
