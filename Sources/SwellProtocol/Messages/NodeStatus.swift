package import SwellCore
/// One node as `swell status` shows it.
package struct NodeStatus: Sendable, Codable, Hashable {
    package var name: String
    /// The node process's incarnation (a UUID chosen when it starts).
    package var incarnation: String
    /// How many times this name has joined or been heard from again after suspicion, on this
    /// coordinator: states only move forward within one membership incarnation.
    package var membership: Int
    package var state: NodeState
    package var slots: Int
    package var labels: [String]
    package var running: Int
    /// Seconds since 1970 of the last message from the node.
    package var lastHeartbeat: Double
    package var tasksRun: Int

    package init(name: String, incarnation: String, membership: Int, state: NodeState, slots: Int, labels: [String],
                running: Int, lastHeartbeat: Double, tasksRun: Int) {
        self.name = name
        self.incarnation = incarnation
        self.membership = membership
        self.state = state
        self.slots = slots
        self.labels = labels
        self.running = running
        self.lastHeartbeat = lastHeartbeat
        self.tasksRun = tasksRun
    }
}
