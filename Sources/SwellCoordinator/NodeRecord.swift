import Foundation

/// Where a node stands. Within one incarnation a node only moves forward:
/// joining -> up -> suspect -> down, or -> left when it leaves on purpose.
enum NodeState: String, Sendable, Comparable {
    case up
    case suspect
    case down
    case left

    static func < (a: NodeState, b: NodeState) -> Bool { a.rank < b.rank }
    private var rank: Int {
        switch self {
        case .up: 0
        case .suspect: 1
        case .down: 2
        case .left: 3
        }
    }
}

/// One node incarnation as the coordinator knows it.
struct NodeRecord: Sendable {
    var name: String
    var incarnation: String
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
    var assignments: Set<AssignmentKey> = []
    var tasksRun = 0
    /// Running tasks as the node last said.
    var running = 0

    var free: Int { max(0, slots - used) }
    var isLive: Bool { state == .up || state == .suspect }

    func accepts(labels required: [String]) -> Bool {
        acceptsAnyLabels || required.allSatisfy(labels.contains)
    }
}

/// An assignment on a node: run, stage, kind, share (for retries, the task's share) and attempt.
struct AssignmentKey: Hashable, Sendable {
    var run: String
    var stage: String
    var kind: KindTag
    var share: Int
    var attempt: Int
    /// For retries: the task index.
    var index: Int

    enum KindTag: String, Sendable {
        case share
        case retry
        case reduce
    }
}

/// An assignment in flight.
struct Assignment: Sendable {
    var key: AssignmentKey
    var node: String
    var slots: Int
    var messageID: UInt64
    var frames: [Data]
    var sentAt: Double
    var acknowledged = false
}
