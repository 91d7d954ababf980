import SwellCore
import SwellProtocol

/// What happens to a node: the input of ``NodeLoop``.
enum NodeEvent: Sendable {
    /// A message from the coordinator.
    case message(Message)
    /// Bytes from the coordinator that are not a message this node understands.
    case undecodable(WireError)
    /// The clock moved (several times a heartbeat interval).
    case tick
    /// A task's process ended.
    case taskEnded(AssignmentID, TaskRef, TaskOutcome, command: String)
    /// A share's summarize process ended.
    case summaryEnded(AssignmentID, TaskOutcome)
    /// The node is asked to stop (SIGTERM, SIGINT).
    case shutdown
}
