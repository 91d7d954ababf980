/// The coordinator admits a peer (reply to HELLO).
package struct Welcome: Sendable, Codable {
    package var id: UInt64
    package var replyTo: UInt64
    /// The name the coordinator knows the peer by.
    package var name: String
    /// The coordinator's own incarnation; a change tells peers it restarted.
    package var coordinator: String
    package var heartbeatMilliseconds: Int
    /// How long the coordinator lets a node be silent before it counts the node down: a node
    /// waits as long without word from the coordinator before it says HELLO again. Nil from a
    /// coordinator that does not say (the node then waits 6 heartbeat intervals).
    package var silenceMilliseconds: Int?
    /// How long a node may go without word from the coordinator while it runs tasks under
    /// leases: then it stops them, since the coordinator hands a lost node's leases on once this
    /// long (and the stop grace) has passed since it last heard from it. Nil: no leases.
    package var leaseHoldMilliseconds: Int?

    package init(id: UInt64, replyTo: UInt64, name: String, coordinator: String, heartbeatMilliseconds: Int,
                 silenceMilliseconds: Int? = nil, leaseHoldMilliseconds: Int? = nil) {
        self.leaseHoldMilliseconds = leaseHoldMilliseconds
        self.id = id
        self.replyTo = replyTo
        self.name = name
        self.coordinator = coordinator
        self.heartbeatMilliseconds = heartbeatMilliseconds
        self.silenceMilliseconds = silenceMilliseconds
    }
}
