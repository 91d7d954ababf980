public import Foundation
public import Logging
public import SwellJournal
public import SwellProtocol

/// What one pass of the scheduler wants done, in this order: journal writes committed, then
/// messages sent (acknowledgements included), then journal queries answered.
public struct Effects: Sendable {
    public var journal = Journal.Batch()
    public var sends: [(peer: Data, message: Message)] = []
    /// Messages encoded already (assignments kept for resending).
    public var frameSends: [(peer: Data, frames: [Data])] = []
    /// Message ids to acknowledge, per peer: sent as one ACK each, after the journal commit.
    public var acks: [Data: [UInt64]] = [:]
    public var queries: [JournalQuery] = []
    public var logs: [(level: Logger.Level, message: String)] = []

    public init() {}

    mutating func send(_ peer: Data, _ message: Message) { sends.append((peer, message)) }
    mutating func sendFrames(_ peer: Data, _ frames: [Data]) { frameSends.append((peer, frames)) }
    mutating func ack(_ peer: Data, _ id: UInt64) { acks[peer, default: []].append(id) }
    mutating func log(_ level: Logger.Level, _ message: String) { logs.append((level, message)) }
}

/// Requests the scheduler cannot answer from memory; the shell reads the journal.
public enum JournalQuery: Sendable {
    case logs(peer: Data, LogsRequest)
    /// A client attached to a run that is no longer in memory.
    case finishedRun(peer: Data, replyTo: UInt64, run: String)
}
