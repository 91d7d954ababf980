import Foundation
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
    /// Stop a task for a reason of the node's: it runs far longer than its stage's median
    /// (`timeout: N%`), or its lease is no longer the node's.
    case stopFor(ProcessKey, StopSignal.Reason)
    /// Append a piece of an input to its file; hand in `inputStored` (or `inputFailed`) after.
    case storeInput(InputKey, path: String, Data)
    /// An input file no assignment needs any more.
    case removeInput(path: String)
    case log(Logger.Level, String)
    /// Drop the connection to the coordinator and make a new one: its security handshake then
    /// runs again (a key renamed or readmitted in the authorized file).
    case reconnect
}
