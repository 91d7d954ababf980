import Foundation
import SwellCore

/// One node incarnation as the coordinator knows it.
struct KnownNode: Sendable {
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
    /// It asks for a large input in pieces (INPUT?) instead of taking it in the ASSIGN.
    var fetchesInput = false
    var state: NodeState
    var lastSeen: ContinuousClock.Instant
    /// Until when it is not judged by its silence: it announced a large report, which takes
    /// that long to arrive at ``Scheduler/slowestLink`` (cleared when a report arrives).
    var sendingUntil: ContinuousClock.Instant?
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
