/// How far a stage has come.
package struct StageCounts: Sendable, Codable, Hashable {
    /// Scopes (1 for a single-task stage); nil until a `lines-of` stage knows them.
    package var tasks: Int?
    package var succeeded: Int
    package var failed: Int
    package var running: Int
    package var shares: Int

    package init(tasks: Int?, succeeded: Int = 0, failed: Int = 0, running: Int = 0, shares: Int = 0) {
        self.tasks = tasks
        self.succeeded = succeeded
        self.failed = failed
        self.running = running
        self.shares = shares
    }
}
