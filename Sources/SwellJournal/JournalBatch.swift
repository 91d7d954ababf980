package import SwellCore

/// Everything one pass of the coordinator's loop changed, committed in one transaction, in this
/// order: runs, run endings, stages, shares, assignments (in their order), reports.
package struct JournalBatch: Sendable {
    package var runs: [RunRecord] = []
    package var runEndings: [RunEnding] = []
    package var stages: [StageRecord] = []
    package var shares: [ShareRecord] = []
    package var assignments: [Change] = []
    package var reports: [ReportRecord] = []
    package var leases: [LeaseChange] = []

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
        runs.isEmpty && runEndings.isEmpty && stages.isEmpty && shares.isEmpty && reports.isEmpty && assignments.isEmpty && leases.isEmpty
    }
}
