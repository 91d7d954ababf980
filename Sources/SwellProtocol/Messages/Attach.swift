/// Follow a run (client -> coordinator): progress events from now on, and its result.
package struct Attach: Sendable, Codable {
    package var id: UInt64
    package var run: String
    package var taskEvents: Bool
    /// For a finished run: where to start each sink's output (the bytes the client already
    /// has); nil for all of it.
    package var outputFrom: [Int]?
    package init(id: UInt64, run: String, taskEvents: Bool, outputFrom: [Int]? = nil) {
        self.id = id
        self.run = run
        self.taskEvents = taskEvents
        self.outputFrom = outputFrom
    }
}
