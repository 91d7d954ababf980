package import Foundation
package import Logging
package import SwellProtocol

/// What one pass of the scheduler wants done, in this order: journal changes committed, then
/// messages sent (acknowledgements included), then journal queries answered.
package struct Effects: Sendable {
    /// What the journal must hold before anything below leaves, in the order it happened.
    var changes: [JournalChange] = []
    package var sends: [(peer: Data, message: Message)] = []
    /// Message ids to acknowledge, per peer: sent as one ACK each, after the journal commit.
    package var acks: [Data: [UInt64]] = [:]
    var queries: [JournalQuery] = []
    package var logs: [(level: Logger.Level, message: String)] = []

    package init() {}

    mutating func send(_ peer: Data, _ message: Message) { sends.append((peer, message)) }
    mutating func ack(_ peer: Data, _ id: UInt64) { acks[peer, default: []].append(id) }
    mutating func log(_ level: Logger.Level, _ message: String) { logs.append((level, message)) }
    mutating func journal(_ change: JournalChange) { changes.append(change) }

    /// Takes in what `other` asks for, but its queries (the caller decides where those go).
    mutating func append(_ other: Effects) {
        changes += other.changes
        sends += other.sends
        for (peer, ids) in other.acks { acks[peer, default: []] += ids }
        logs += other.logs
    }
}
