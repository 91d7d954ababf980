package import SwellCore
/// The cluster's state (coordinator -> client).
package struct StatusReply: Sendable, Codable {
    package var id: UInt64
    package var replyTo: UInt64
    package var coordinator: String
    package var endpoint: String
    /// `curve` (peers admitted by key), `loopback` (no keys, loopback only) or `insecure`.
    package var security: SecurityMode
    package var nodes: [NodeStatus]
    package var runs: [RunOverview]
    package var dropped: DropCounters
    /// The named limits in use: the coordinator's `--limit`s and those of running plans.
    package var limits: [LimitStatus]?

    package init(id: UInt64, replyTo: UInt64, coordinator: String, endpoint: String, security: SecurityMode, nodes: [NodeStatus],
                runs: [RunOverview], dropped: DropCounters) {
        self.id = id
        self.replyTo = replyTo
        self.coordinator = coordinator
        self.endpoint = endpoint
        self.security = security
        self.nodes = nodes
        self.runs = runs
        self.dropped = dropped
    }
}
