import Foundation

/// A client's `swell cancel`, waiting for the nodes to confirm that the run's processes exited.
struct CancelConfirmation: Sendable {
    var client: Data
    var request: UInt64
    /// CANCEL message ids sent to nodes, not yet acknowledged, by node name.
    var waiting: [String: UInt64]
    var deadline: ContinuousClock.Instant
}
