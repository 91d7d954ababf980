/// Where a node stands. Within one membership incarnation a node only moves forward:
/// joining -> up -> suspect -> down, or to left when it leaves on purpose. A suspect node that is
/// heard from again starts a new membership incarnation in `up`.
package enum NodeState: String, Sendable, Codable, Comparable {
    /// Said HELLO; not yet heard from since the WELCOME.
    case joining
    case up
    /// Silent for `suspectAfterMissed` heartbeat intervals: gets no new work.
    case suspect
    /// Silent past the grace period: its unfinished work went back to the pool.
    case down
    /// Left on purpose, or replaced by a newer process of the same name.
    case left

    package static func < (a: NodeState, b: NodeState) -> Bool { a.rank < b.rank }
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
