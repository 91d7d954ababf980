/// Follow a run (client -> coordinator): progress events from now on, and its result.
package struct Attach: Sendable, Codable {
    package var id: UInt64
    package var run: String
    package var taskEvents: Bool
    package init(id: UInt64, run: String, taskEvents: Bool) {
        self.id = id
        self.run = run
        self.taskEvents = taskEvents
    }
}
