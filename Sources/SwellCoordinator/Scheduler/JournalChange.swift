import SwellCore

/// Something the scheduler decided that must be on disk before the messages that follow from
/// it leave. The shell's `JournalMapper` turns each into rows.
enum JournalChange: Sendable {
    /// A run was accepted: all a restarted coordinator needs to take it up again.
    case runAccepted(RunAcceptance)
    case runFinished(run: String, status: RunStatus, endedAt: Double, error: String?)
    /// How many of a running run's tasks hold slots now (recorded with its progress, so that
    /// `swell status --state` can tell them from another process).
    case runningChanged(run: String, running: Int)
    /// A stage started, ended or failed; its scopes and output are given once known.
    case stageChanged(run: String, StageEntry)
    /// A share was handed out (again) or finished.
    case shareChanged(run: String, stage: String, ShareState)
    /// A report came in; `final` when it ends its task (a failed attempt to be retried is not).
    case reportReceived(Report, final: Bool)
    case assignmentAdded(HeldAssignment)
    case assignmentRemoved(AssignmentID)
    /// A finished run goes on (`--continue`, `--retry-failed`), with this budget.
    case runReopened(RunAcceptance)
    /// The stage's failed final reports, and its reduction's, are final no more.
    case reportsReopened(run: String, stage: String)
    /// The stage starts over: its row, reports and shares go.
    case stageReset(run: String, stage: String)
    case leaseGranted(HeldLease)
    case leaseReleased(HeldLease)
}
