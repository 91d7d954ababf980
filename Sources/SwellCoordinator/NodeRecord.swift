import Foundation
import SwellCore
import SwellProtocol

/// Where a node stands. Within one membership incarnation a node only moves forward:
/// joining -> up -> suspect -> down, or to left when it leaves on purpose. A suspect node that is
/// heard from again starts a new membership incarnation in `up`.
enum NodeState: String, Sendable, Comparable {
    /// Said HELLO; not yet heard from since the WELCOME.
    case joining
    case up
    /// Silent for `suspectAfterMissed` heartbeat intervals: gets no new work.
    case suspect
    /// Silent past the grace period: its unfinished work went back to the pool.
    case down
    /// Left on purpose, or replaced by a newer process of the same name.
    case left

    static func < (a: NodeState, b: NodeState) -> Bool { a.rank < b.rank }
    private var rank: Int {
        switch self {
        case .joining: 0
        case .up: 1
        case .suspect: 2
        case .down: 3
        case .left: 4
        }
    }
}

/// One node incarnation as the coordinator knows it.
struct NodeRecord: Sendable {
    var name: String
    /// The ZAP User-Id (`node:NAME`) it was admitted under, when peers are admitted by key.
    var userID: String?
    /// The node process's incarnation (from its HELLO).
    var incarnation: String
    /// This coordinator's count of the name's memberships: a new one on every join and on every
    /// refuted suspicion.
    var membership: Int
    var peer: Data
    var slots: Int
    var labels: Set<String>
    var acceptsAnyLabels: Bool
    var state: NodeState
    var lastSeen: Double
    var lastSeenWall: Double
    var joinedAt: Double
    /// Slots held by assignments.
    var used = 0
    var assignments: Set<AssignmentID> = []
    var tasksRun = 0
    /// Running tasks as the node last said.
    var running = 0

    var free: Int { max(0, slots - used) }
    var isLive: Bool { state < .down }

    func accepts(labels required: [String]) -> Bool {
        acceptsAnyLabels || required.allSatisfy(labels.contains)
    }
}

/// An assignment in flight.
struct Assignment: Sendable {
    var key: AssignmentID
    var node: String
    var slots: Int
    var messageID: UInt64
    var frames: [Data]
    var sentAt: Double
    var acknowledged = false
}
