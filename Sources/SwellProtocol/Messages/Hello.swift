package import SwellCore

/// First message of every peer on a new connection (node or client -> coordinator).
package struct Hello: Sendable, Codable {
    package var id: UInt64
    package var role: PeerRole
    /// The name the peer asks to be known by (a node's `--name`; for clients, informational).
    package var name: String
    /// Unique per process start; a restarted or re-joining node has a new incarnation.
    package var incarnation: String
    package var slots: Int
    package var labels: [String]
    /// True for the node inside `swell run`'s embedded default: it runs every stage, whatever its labels.
    package var acceptsAnyLabels: Bool
    package var software: String
    /// The assignments a node still holds when it joins again: those it runs, and those whose
    /// reports or summary it has not had acknowledged. The coordinator adopts those it still
    /// counts on and cancels the others.
    package var holding: [AssignmentID]
    /// A node that asks for a large input in pieces (INPUT?) rather than in its ASSIGN.
    package var fetchesInput: Bool?

    package init(id: UInt64, role: PeerRole, name: String, incarnation: String, slots: Int = 0,
                labels: [String] = [], acceptsAnyLabels: Bool = false, software: String = SwellVersion.current,
                holding: [AssignmentID] = [], fetchesInput: Bool? = nil) {
        self.id = id
        self.role = role
        self.name = name
        self.incarnation = incarnation
        self.slots = slots
        self.labels = labels
        self.acceptsAnyLabels = acceptsAnyLabels
        self.software = software
        self.holding = holding
        self.fetchesInput = fetchesInput
    }
}
