package import Foundation
package import SwellCore

/// A share handed to a node's sub-orchestrator (coordinator -> node).
///
/// `kind == .share`: run `tasks` in task waves, send a report per task, then the share summary.
/// `kind == .retry`: run the one task again (a failed attempt from another share); its report
/// goes up, and no summary follows.
/// `kind == .reduce`: run the one task (index -1) with `stdin`; it is the stage's synthesis or
/// tree reduction, and its report is the stage output.
package struct Assign: Sendable, Codable {
    package var id: UInt64
    package var run: String
    package var stage: String
    package var kind: AssignmentKind
    /// The share's position in the stage's share order (for `retry`, the share the task belongs to).
    package var share: Int
    /// 1 for a first assignment; higher when the share is handed out again after its node was
    /// lost, or for a retry, the task's attempt.
    package var attempt: Int
    /// First scope index and scope count of the whole share (`tasks` may be fewer when some
    /// are already `done`).
    package var first: Int
    package var count: Int
    package var firstScope: String
    package var lastScope: String
    package var tasks: [TaskRef]
    /// Standard input of every task: the outputs of the stage's `needs`, in order (for a
    /// reduction, its input). Empty when `stdinBytes` is set.
    package var stdin: Data
    /// The input is this many bytes, too many for one message: the node asks for it in pieces
    /// (INPUT?) before it starts the tasks. Only for nodes that said `fetchesInput`.
    package var stdinBytes: Int?
    /// Final reports of tasks of this share that already finished; their stdout is in the payload.
    package var done: [Report]
    /// Indices of tasks of this share that run elsewhere; their reports arrive as RELAY.
    package var elsewhere: [Int]
    package var spec: TaskSpec

    package init(id: UInt64, run: String, stage: String, kind: AssignmentKind, share: Int, attempt: Int, first: Int, count: Int,
                firstScope: String, lastScope: String, tasks: [TaskRef], done: [Report], elsewhere: [Int],
                spec: TaskSpec, stdin: Data, stdinBytes: Int? = nil) {
        self.id = id
        self.run = run
        self.stage = stage
        self.kind = kind
        self.share = share
        self.attempt = attempt
        self.first = first
        self.count = count
        self.firstScope = firstScope
        self.lastScope = lastScope
        self.tasks = tasks
        self.done = done
        self.elsewhere = elsewhere
        self.spec = spec
        self.stdin = stdin
        self.stdinBytes = stdinBytes
    }

    /// The assignment this message hands out.
    package var assignment: AssignmentID {
        AssignmentID(run: run, stage: stage, kind: kind, share: share, first: first, attempt: attempt)
    }
}
