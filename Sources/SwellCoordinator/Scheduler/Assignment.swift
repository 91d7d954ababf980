import SwellCore
import SwellProtocol

/// An assignment in flight: where it runs, the slots it takes, and the ASSIGN to send again
/// until the node acknowledges it.
struct Assignment: Sendable {
    var id: AssignmentID
    var node: String
    /// The most tasks it runs at once on its node (its width, at most the node's slots).
    var cap: Int
    /// Its tasks that have not reported yet.
    var outstanding: Int
    /// A share whose stage summarizes: once its tasks are in, it runs `summarize` in one slot.
    var summarizes = false
    /// Order of creation: a node starts queued work first come, first served.
    var sequence: UInt64 = 0
    /// The node's slots it holds now (see ``Scheduler/rebalance(_:)``).
    var held = 0
    /// What it adds to its stage's running tasks: `runningTasks` when last counted.
    var counted = 0
    /// Nil for work adopted from a node after a restart: that node has it already.
    var message: Assign?
    var sentAt: ContinuousClock.Instant
    /// Times it was sent again without an acknowledgement: each resend waits twice as long.
    var resends = 0
    var acknowledged = false

    /// The slots it would take: a task wave, or what is left of its tasks, or its summarize.
    var want: Int { outstanding > 0 ? min(cap, outstanding) : (summarizes ? 1 : 0) }

    /// Of what it holds, the slots that run its tasks (not its summarize).
    var runningTasks: Int { outstanding > 0 ? held : 0 }
}
