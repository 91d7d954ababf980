/// How far a stage has come.
package struct StageCounts: Sendable, Codable, Hashable {
    /// Scopes (1 for a single-task stage); nil until a `lines-of` stage knows them.
    package var tasks: Int?
    package var succeeded: Int
    package var failed: Int
    package var running: Int
    package var shares: Int
    /// Attempts that ended and left their task to run again: failures with retries left, rate
    /// limits waited out, tasks interrupted by their node (since this coordinator started).
    package var retried: Int?
    /// How long the tasks with a final report ran, in seconds, together: with `succeeded +
    /// failed`, their mean duration, for an estimate of what is left.
    package var taskSeconds: Double?
    /// The nodes that run the stage's tasks now (in progress events).
    package var nodes: Int?

    package init(tasks: Int?, succeeded: Int = 0, failed: Int = 0, running: Int = 0, shares: Int = 0,
                 retried: Int? = nil, taskSeconds: Double? = nil, nodes: Int? = nil) {
        self.tasks = tasks
        self.succeeded = succeeded
        self.failed = failed
        self.running = running
        self.shares = shares
        self.retried = retried
        self.taskSeconds = taskSeconds
        self.nodes = nodes
    }

    /// Tasks with a final report.
    package var done: Int { succeeded + failed }
}
