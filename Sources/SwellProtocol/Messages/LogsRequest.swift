/// Ask for a run's reports (client -> coordinator), a page at a time.
package struct LogsRequest: Sendable, Codable {
    package var id: UInt64
    package var run: String
    package var stage: String?
    package var scope: String?
    package var offset: Int

    package init(id: UInt64, run: String, stage: String?, scope: String?, offset: Int) {
        self.id = id
        self.run = run
        self.stage = stage
        self.scope = scope
        self.offset = offset
    }
}
