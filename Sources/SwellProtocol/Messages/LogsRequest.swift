/// Ask for a run's reports (client -> coordinator), a page at a time.
package struct LogsRequest: Sendable, Codable {
    package var id: UInt64
    package var run: String
    package var stage: String?
    package var scope: String?
    package var offset: Int
    /// Leave the outputs out, and send the run's digest with the first page: what `swell
    /// report` asks for. Nil (an older client): false.
    package var brief: Bool?

    package init(id: UInt64, run: String, stage: String?, scope: String?, offset: Int, brief: Bool? = nil) {
        self.brief = brief
        self.id = id
        self.run = run
        self.stage = stage
        self.scope = scope
        self.offset = offset
    }
}
