/// The plan was refused (coordinator -> client); `message` holds `FILE:LINE:COL: ...` lines.
package struct Rejected: Sendable, Codable {
    package var id: UInt64
    package var replyTo: UInt64
    package var message: String
    package init(id: UInt64, replyTo: UInt64, message: String) {
        self.id = id
        self.replyTo = replyTo
        self.message = message
    }
}
