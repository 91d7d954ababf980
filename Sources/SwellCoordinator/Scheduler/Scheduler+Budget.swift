import Foundation
import SwellCore
import SwellProtocol

extension Scheduler {
    /// An attempt ended: what it ran and cost counts against the run's budget; once it is
    /// spent, nothing new of the run starts, and the run ends when its running tasks have.
    mutating func spend(_ report: Report, _ now: Moment, _ effects: inout Effects) {
        guard runs[report.run]?.budget != nil else { return }
        runs[report.run]!.spent.add(report)
        guard runs[report.run]!.exhausted == nil, let why = runs[report.run]!.budget!.exhaustion(runs[report.run]!.spent) else { return }
        exhaust(report.run, why, now, &effects)
    }

    /// The run's budget is spent: every node that works on it starts nothing more of it (a
    /// CANCEL with `drain`), and once each has said its running tasks ended, the run ends
    /// `budget-exhausted`, every report kept.
    mutating func exhaust(_ runID: String, _ why: String, _ now: Moment, _ effects: inout Effects) {
        guard runs[runID]?.status == .running else { return }
        runs[runID]!.exhausted = why
        runs[runID]!.draining = tellNodes(of: runID, { Cancel(id: $0, run: runID, reason: why, drain: true) }, &effects)
        effects.log(.info, "run \(runID): \(why); no new task starts")
        notice(runID, "\(why): no new task starts; the tasks that run finish and are kept", &effects)
        endIfDrained(runID, now, &effects)
    }

    /// A node acknowledged messages, or was lost (`ids` nil): runs it was draining may end.
    mutating func drained(_ node: String, ids: Set<UInt64>?, _ now: Moment, _ effects: inout Effects) {
        for runID in runOrder where runs[runID]?.draining[node] != nil {
            guard ids.map({ $0.contains(runs[runID]!.draining[node]!) }) ?? true else { continue }
            runs[runID]!.draining[node] = nil
            endIfDrained(runID, now, &effects)
        }
    }

    private mutating func endIfDrained(_ runID: String, _ now: Moment, _ effects: inout Effects) {
        guard let run = runs[runID], run.status == .running, let why = run.exhausted, run.draining.isEmpty else { return }
        // What the run spent in all, the tasks that finished after the budget ran out included.
        finishRun(runID, .budgetExhausted, error: run.budget?.exhaustion(run.spent) ?? why, now, &effects)
    }
}
