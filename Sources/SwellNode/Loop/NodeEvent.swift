import SwellProtocol

/// What happens to a node: the input of ``NodeLoop``.
enum NodeEvent: Sendable {
    /// A message from the coordinator.
    case message(Message)
    /// Bytes from the coordinator that are not a message this node understands.
    case undecodable(WireError)
    /// The clock moved (several times a heartbeat interval).
    case tick
    /// A process the loop started ended (a task, or a share's summarize).
    case ended(ProcessWork, TaskOutcome)
    /// A piece of an input was written to its file (``NodeAction/storeInput(_:path:_:)``).
    case inputStored(InputKey, bytes: Int)
    /// It could not be.
    case inputFailed(InputKey, String)
    /// The node is asked to stop (SIGTERM, SIGINT).
    case shutdown
}
