import Foundation
import SwellProtocol

/// What the scheduler leaves to the shell: answers read from the journal, and the streams of
/// finished runs' outputs, which are read from it as clients acknowledge them.
enum JournalQuery: Sendable {
    case logs(peer: Data, LogsRequest)
    /// A client attached to a run that is no longer in memory.
    case finishedRun(peer: Data, replyTo: UInt64, run: String)
    /// Stream a finished run's sink outputs to a client (each from the given byte, or from the
    /// start), then send `result` with their lengths.
    case deliverResult(peer: Data, RunResult, sources: [OutputSource], from: [Int]?)
    /// A client acknowledged messages: output pieces among them make room for more.
    case outputAcknowledged(peer: Data, ids: [UInt64])
    /// A client left: its unfinished streams end.
    case clientLeft(peer: Data)
}
