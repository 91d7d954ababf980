import Foundation
import SwellProtocol

/// Requests the scheduler cannot answer from memory; the shell reads the journal.
enum JournalQuery: Sendable {
    case logs(peer: Data, LogsRequest)
    /// A client attached to a run that is no longer in memory.
    case finishedRun(peer: Data, replyTo: UInt64, run: String)
}
