/// The coordinator admits a peer (reply to HELLO).
package struct Welcome: Sendable, Codable {
    package var id: UInt64
    package var replyTo: UInt64
    /// The name the coordinator knows the peer by.
    package var name: String
    /// The coordinator's own incarnation; a change tells peers it restarted.
    package var coordinator: String
    package var heartbeatMilliseconds: Int

    package init(id: UInt64, replyTo: UInt64, name: String, coordinator: String, heartbeatMilliseconds: Int) {
        self.id = id
        self.replyTo = replyTo
        self.name = name
        self.coordinator = coordinator
        self.heartbeatMilliseconds = heartbeatMilliseconds
    }
}
