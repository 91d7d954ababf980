import SwellCore

/// What the journal holds of a finished run that is no longer in memory (the coordinator
/// restarted since): enough for a client that attaches to get its result and its outputs.
struct FinishedRun: Sendable {
    var run: RunAcceptance
    var status: RunStatus
    var endedAt: Double?
    var error: String?
    var stages: [StageEntry]
    /// Shares made, by stage id.
    var shares: [String: Int]
    /// The tasks with a final report, by stage id, and whether each succeeded.
    var outcomes: [String: [(index: Int, succeeded: Bool)]]
}
