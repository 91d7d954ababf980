package import Foundation
package import Logging
package import SwellJournal
package import SwellProtocol

/// What one pass of the scheduler wants done, in this order: journal writes committed, then
/// messages sent (acknowledgements included), then journal queries answered.
package struct Effects: Sendable {
    package var journal = Journal.Batch()
    package var sends: [(peer: Data, message: Message)] = []
    /// Messages encoded already (assignments kept for resending).
    package var frameSends: [(peer: Data, frames: [Data])] = []
    /// Message ids to acknowledge, per peer: sent as one ACK each, after the journal commit.
    package var acks: [Data: [UInt64]] = [:]
    package var queries: [JournalQuery] = []
    package var logs: [(level: Logger.Level, message: String)] = []

    package init() {}

    mutating func send(_ peer: Data, _ message: Message) { sends.append((peer, message)) }
    mutating func sendFrames(_ peer: Data, _ frames: [Data]) { frameSends.append((peer, frames)) }
    mutating func ack(_ peer: Data, _ id: UInt64) { acks[peer, default: []].append(id) }
    mutating func log(_ level: Logger.Level, _ message: String) { logs.append((level, message)) }
}

/// Requests the scheduler cannot answer from memory; the shell reads the journal.
package enum JournalQuery: Sendable {
    case logs(peer: Data, LogsRequest)
    /// A client attached to a run that is no longer in memory.
    case finishedRun(peer: Data, replyTo: UInt64, run: String)
}
