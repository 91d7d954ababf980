/// A node or client leaves on purpose (graceful shutdown).
package struct Leave: Sendable, Codable {
    package var id: UInt64
    package var reason: String

    package init(id: UInt64, reason: String) {
        self.id = id
        self.reason = reason
    }
}
