/// The run was accepted and has this id (coordinator -> client).
package struct Accepted: Sendable, Codable {
    package var id: UInt64
    package var replyTo: UInt64
    package var run: String
    package init(id: UInt64, replyTo: UInt64, run: String) {
        self.id = id
        self.replyTo = replyTo
        self.run = run
    }
}
