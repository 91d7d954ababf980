package import SwellCore

/// One run as `swell status` shows it.
package struct RunOverview: Sendable, Codable, Hashable {
    package var run: String
    package var name: String
    package var status: RunStatus
    package var createdAt: Double
    package var endedAt: Double?
    package var tasks: Int
    package var succeeded: Int
    package var failed: Int
    package var running: Int
    /// What a running run waits for (a node with a stage's labels), if anything.
    package var waiting: String?

    package init(run: String, name: String, status: RunStatus, createdAt: Double, endedAt: Double?, tasks: Int,
                succeeded: Int, failed: Int, running: Int, waiting: String? = nil) {
        self.waiting = waiting
        self.run = run
        self.name = name
        self.status = status
        self.createdAt = createdAt
        self.endedAt = endedAt
        self.tasks = tasks
        self.succeeded = succeeded
        self.failed = failed
        self.running = running
    }
}
