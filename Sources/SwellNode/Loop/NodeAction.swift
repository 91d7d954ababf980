import Logging
import SwellProtocol

/// What ``NodeLoop`` wants done; ``NodeService`` does it.
enum NodeAction: Sendable {
    /// Send a message to the coordinator.
    case send(Message)
    /// Send again a message the coordinator has not acknowledged.
    case resend(Message)
    /// Start a child process.
    case start(ProcessWork)
    /// Stop a running child process (its whole process group).
    case stop(ProcessKey)
    case log(Logger.Level, String)
}
