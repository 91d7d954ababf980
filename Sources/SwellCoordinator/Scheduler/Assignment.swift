import SwellCore
import SwellProtocol

/// An assignment in flight: where it runs, the slots it takes, and the ASSIGN to send again
/// until the node acknowledges it.
struct Assignment: Sendable {
    var id: AssignmentID
    var node: String
    var slots: Int
    /// Nil for work adopted from a node after a restart: that node has it already.
    var message: Assign?
    var sentAt: ContinuousClock.Instant
    var acknowledged = false
}
