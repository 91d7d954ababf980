/// Liveness, both ways.
package struct Heartbeat: Sendable, Codable {
    package var id: UInt64
    /// Tasks running on the sending node (0 from the coordinator, which nodes do not read).
    package var running: Int

    package init(id: UInt64, running: Int) {
        self.id = id
        self.running = running
    }
}
