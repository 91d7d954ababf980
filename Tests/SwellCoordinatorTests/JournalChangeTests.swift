import Foundation
import Testing
@testable import SwellCoordinator
@testable import SwellPlan
@testable import SwellCore
@testable import SwellProtocol

/// The scheduler alone, messages in and effects out: no codec, no journal.
struct BareScheduler {
    var scheduler = Scheduler(settings: CoordinatorSettings(), incarnation: "c", seed: 7)
    let origin = ContinuousClock.now
    var id: UInt64 = 0

    mutating func receive(_ message: Message, from peer: String) -> Effects {
        var effects = Effects()
        let now = Moment(monotonic: origin, wall: 1_000)
        scheduler.receive(message, from: Data(peer.utf8), userID: nil, at: now, into: &effects)
        scheduler.settle(at: now, into: &effects)
        // As the shell answers a fan-out's question about its earlier durations: none here.
        for case .durations(let run, let stage, _, _) in effects.queries {
            scheduler.learnDurations(run, stage: stage, [:], now, &effects)
        }
        // And splits lines-of stages' scopes.
        for case .splitLines(let run, let stage, let source, let output, let cut) in effects.queries {
            scheduler.scopesSplit(run, stage: stage, LinesOf.scopes(from: output, cut: cut, stage: stage, source: source), now, &effects)
            scheduler.settle(at: now, into: &effects)
        }
        return effects
    }

    mutating func nextID() -> UInt64 {
        id += 1
        return id
    }
}

extension JournalChange {
    /// A short name for the kind of change, to compare sequences.
    var word: String {
        switch self {
        case .runAccepted: "runAccepted"
        case .runFinished(_, let status, _, _): "runFinished(\(status.rawValue))"
        case .runningChanged(_, let running): "runningChanged(\(running))"
        case .stageChanged(_, let stage): "stageChanged(\(stage.stage), \(stage.status.rawValue))"
        case .shareChanged(_, _, let share): "shareChanged(\(share.index), \(share.status.rawValue))"
        case .reportReceived(let report, let final): "reportReceived(\(report.index), final: \(final))"
        case .assignmentAdded(let held): "assignmentAdded(\(held.id.kind.rawValue))"
        case .assignmentRemoved(let id): "assignmentRemoved(\(id.kind.rawValue))"
        case .runReopened: "runReopened"
        case .reportsReopened(_, let stage): "reportsReopened(\(stage))"
        case .stageReset(_, let stage): "stageReset(\(stage))"
        case .leaseGranted(let lease): "leaseGranted(\(lease.index))"
        case .leaseReleased(let lease): "leaseReleased(\(lease.index))"
        }
    }
}

@Suite struct JournalChangeTests {
    /// A run's tasks in slots are journaled with its progress when they change, and only then,
    /// so that `swell status --state` can show them from another process.
    @Test func theTasksARunHasInSlotsAreJournaledWithItsProgress() {
        var bare = BareScheduler()
        _ = bare.receive(.hello(Hello(id: bare.nextID(), role: .node, name: "n1", incarnation: "i", slots: 10)), from: "n1")
        _ = bare.receive(.heartbeat(Heartbeat(id: bare.nextID(), running: 0)), from: "n1")
        _ = bare.receive(.hello(Hello(id: bare.nextID(), role: .client, name: "c", incarnation: "c")), from: "c")
        _ = bare.receive(.submit(Submit(
            id: bare.nextID(), plan: "name: p\nstages:\n  - id: fan\n    partition: { items: [a, b] }\n    run: echo {scope}\n",
            file: "p.yaml", overrides: [], scopes: [:], taskEvents: false)), from: "c")
        func tick(_ seconds: Int) -> [String] {
            var effects = Effects()
            bare.scheduler.tick(at: Moment(monotonic: bare.origin + .seconds(seconds), wall: 1_000 + Double(seconds)), into: &effects)
            return effects.changes.map(\.word).filter { $0.hasPrefix("runningChanged") }
        }
        #expect(tick(1) == ["runningChanged(2)"])
        #expect(tick(2) == [], "unchanged, not written again")
    }

    @Test func aRunIsJournaledInDomainWordsInTheOrderItHappens() throws {
        var bare = BareScheduler()
        _ = bare.receive(.hello(Hello(id: bare.nextID(), role: .node, name: "n1", incarnation: "i", slots: 10)), from: "n1")
        _ = bare.receive(.heartbeat(Heartbeat(id: bare.nextID(), running: 0)), from: "n1")
        _ = bare.receive(.hello(Hello(id: bare.nextID(), role: .client, name: "c", incarnation: "c")), from: "c")
        let submitted = bare.receive(.submit(Submit(
            id: bare.nextID(), plan: "name: p\nvars: { v: x }\nstages:\n  - id: fan\n    partition: { items: [a, b] }\n    run: echo {scope}\n",
            file: "p.yaml", overrides: [VarOverride(name: "v", value: "y")], scopes: [:], taskEvents: false)), from: "c")
        #expect(submitted.changes.map(\.word) == ["runAccepted", "stageChanged(fan, running)", "assignmentAdded(share)", "shareChanged(0, running)"])
        guard case .runAccepted(let accepted)? = submitted.changes.first,
              case .stageChanged(_, let stage)? = submitted.changes.dropFirst().first else {
            Issue.record("not a run and a stage")
            return
        }
        #expect(accepted.overrides == [VarOverride(name: "v", value: "y")])
        #expect(accepted.scopes == ["fan": ["a", "b"]])
        #expect(stage.scopes == ["a", "b"], "a stage's scopes are journaled when it starts")
        let assign = try #require(submitted.sends.compactMap { if case .assign(let a) = $0.message { a } else { nil } }.first)

        var words: [String] = []
        for task in assign.tasks {
            let report = Report(run: assign.run, stage: assign.stage, index: task.index, scope: task.scope, attempt: 1, node: "n1",
                                exitCode: 0, signal: nil, timedOut: false, error: nil, startedAt: 0, endedAt: 1, stdoutBytes: 2,
                                stdoutTruncated: false, command: "echo", stdout: Data("\(task.scope)\n".utf8), stderrTail: Data())
            words += bare.receive(.report(ReportMessage(id: bare.nextID(), report: report)), from: "n1").changes.map(\.word)
        }
        #expect(words == ["reportReceived(0, final: true)", "reportReceived(1, final: true)"])
        let summary = ShareSummary(run: assign.run, stage: assign.stage, share: 0, first: 0, count: 2, firstScope: "a", lastScope: "b",
                                   node: "n1", exitCode: 0, error: nil, output: Data())
        let end = bare.receive(.summary(SummaryMessage(id: bare.nextID(), attempt: 1, summary: summary, summarized: false)), from: "n1")
        #expect(end.changes.map(\.word) == ["assignmentRemoved(share)", "shareChanged(0, done)", "stageChanged(fan, succeeded)", "runFinished(succeeded)"])
        guard case .stageChanged(_, let finished)? = end.changes.dropFirst(2).first else {
            Issue.record("no stage end")
            return
        }
        #expect(finished.output == nil, "a stage's output is not journaled again: it is in its reports")
        // The client gets it from there.
        let deliveries = end.queries.compactMap { query -> [SinkProgress]? in
            if case .outputAdvanced(_, _, let sinks, _?) = query { return sinks }
            return nil
        }
        #expect(deliveries == [[SinkProgress(source: .reports(stage: "fan", format: .concat, upTo: 2), complete: true)]])
    }

    @Test func whatCannotBeReadIsCountedAndAnotherVersionIsAnswered() {
        var bare = BareScheduler()
        var effects = Effects()
        bare.scheduler.unreadable(from: Data("p".utf8), otherVersion: true, why: "swell/9", at: Moment(monotonic: bare.origin, wall: 1), into: &effects)
        bare.scheduler.unreadable(from: Data("p".utf8), otherVersion: false, why: "bad", at: Moment(monotonic: bare.origin, wall: 1), into: &effects)
        #expect(bare.scheduler.dropped.unknownVersion == 1)
        #expect(bare.scheduler.dropped.malformed == 1)
        #expect(effects.sends.map(\.message.type) == ["REFUSAL"])
        #expect(effects.changes.isEmpty)
    }
}
