/// Message ids the receiver has taken in (and, on the coordinator, journaled).
package struct Ack: Sendable, Codable {
    package var id: UInt64
    package var acks: [UInt64]

    package init(id: UInt64, acks: [UInt64]) {
        self.id = id
        self.acks = acks
    }
}
