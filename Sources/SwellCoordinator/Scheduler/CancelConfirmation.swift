import Foundation

/// A client's `swell cancel`, waiting for the nodes to confirm that the run's processes exited.
struct CancelConfirmation: Sendable {
    var client: Data
    var request: UInt64
    var run: String
    /// CANCEL message ids sent to nodes, not yet acknowledged, by node name.
    var waiting: [String: UInt64]
    var deadline: ContinuousClock.Instant
    /// Nodes among `waiting` that were lost meanwhile: a node counted down may only be paused,
    /// its tasks still running, so its loss confirms nothing; it confirms when it comes back.
    var lost: Set<String> = []
}
