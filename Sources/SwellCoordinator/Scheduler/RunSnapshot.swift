import SwellCore

/// What the journal holds of one unfinished run, for ``Scheduler/restore(_:at:into:)``.
struct RunSnapshot: Sendable {
    var run: RunAcceptance
    var stages: [StageEntry]
    /// Shares by stage id, in share order.
    var shares: [String: [ShareState]]
    /// Every report, in the order it came in.
    var reports: [(report: Report, final: Bool)]
    var assignments: [HeldAssignment]
    /// Leases the run's tasks held.
    var leases: [HeldLease]
    /// Tasks whose final report was made not final to run them again (`--retry-failed`), by
    /// stage: nothing of theirs is in flight.
    var reopened: [String: Set<Int>] = [:]

    init(run: RunAcceptance, stages: [StageEntry], shares: [String: [ShareState]],
                 reports: [(report: Report, final: Bool)], assignments: [HeldAssignment], leases: [HeldLease] = []) {
        self.leases = leases
        self.run = run
        self.stages = stages
        self.shares = shares
        self.reports = reports
        self.assignments = assignments
    }
}
