/// Ask for the cluster's state (client -> coordinator).
package struct StatusRequest: Sendable, Codable {
    package var id: UInt64
    package init(id: UInt64) { self.id = id }
}
