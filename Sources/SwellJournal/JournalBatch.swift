package import SwellCore

/// Everything one pass of the coordinator's loop changed, committed in one transaction, in this
/// order: runs, run endings, stages, shares, assignments (in their order), reports.
package struct JournalBatch: Sendable {
    package var runs: [RunRecord] = []
    package var runEndings: [RunEnding] = []
    /// The tasks each running run has in slots now (a run ending sets 0).
    package var running: [String: Int] = [:]
    package var stages: [StageRecord] = []
    package var shares: [ShareRecord] = []
    package var assignments: [Change] = []
    package var reports: [ReportRecord] = []
    package var leases: [LeaseChange] = []
    /// Finished runs that go on: their rows are rewritten (running, the new budget), before
    /// anything else of the batch.
    package var reopened: [RunRecord] = []
    /// Stages of reopened runs, before anything else of the batch but the runs.
    package var stageChanges: [StageChange] = []

    package enum StageChange: Sendable {
        /// The stage's failed final reports, and its reduction's, are final no more.
        case reportsReopened(run: String, stage: String)
        /// The stage's row, reports and shares go.
        case reset(run: String, stage: String)
    }

    /// A lease granted to a task, or given back.
    package enum LeaseChange: Sendable {
        case granted(HeldLease)
        case released(HeldLease)
    }

    /// An assignment handed out, or over.
    package enum Change: Sendable {
        case added(HeldAssignment)
        case removed(AssignmentID)
    }

    package init() {}

    package var isEmpty: Bool {
        runs.isEmpty && runEndings.isEmpty && running.isEmpty && stages.isEmpty && shares.isEmpty && reports.isEmpty && assignments.isEmpty && leases.isEmpty && reopened.isEmpty && stageChanges.isEmpty
    }
}
