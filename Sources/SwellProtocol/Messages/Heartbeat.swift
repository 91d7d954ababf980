/// Liveness, both ways.
package struct Heartbeat: Sendable, Codable {
    package var id: UInt64
    /// The sender's incarnation.
    package var incarnation: String
    /// Tasks running on the sending node (0 from the coordinator).
    package var running: Int

    package init(id: UInt64, incarnation: String, running: Int) {
        self.id = id
        self.incarnation = incarnation
        self.running = running
    }
}
