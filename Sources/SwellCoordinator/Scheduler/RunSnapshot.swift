package import SwellCore

/// What the journal holds of one unfinished run, for ``Scheduler/restore(_:at:into:)``.
package struct RunSnapshot: Sendable {
    package var run: RunAcceptance
    package var stages: [StageEntry]
    /// Shares by stage id, in share order.
    package var shares: [String: [ShareState]]
    /// Every report, in the order it came in.
    package var reports: [(report: Report, final: Bool)]
    package var assignments: [HeldAssignment]

    package init(run: RunAcceptance, stages: [StageEntry], shares: [String: [ShareState]],
                 reports: [(report: Report, final: Bool)], assignments: [HeldAssignment]) {
        self.run = run
        self.stages = stages
        self.shares = shares
        self.reports = reports
        self.assignments = assignments
    }
}
