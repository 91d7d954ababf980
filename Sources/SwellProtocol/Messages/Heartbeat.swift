/// Liveness, both ways.
package struct Heartbeat: Sendable, Codable {
    package var id: UInt64
    /// Tasks running on the sending node (0 from the coordinator, which nodes do not read).
    package var running: Int
    /// From a node: the bytes of the report it sends next, when that is large. No heartbeat
    /// passes a message on its connection, so the coordinator allows the node the silence that
    /// many bytes take to arrive.
    package var sending: Int?

    package init(id: UInt64, running: Int, sending: Int? = nil) {
        self.id = id
        self.running = running
        self.sending = sending
    }
}
