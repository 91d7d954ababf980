/// Who a peer of the coordinator is: in HELLO, and in the authorized file and the User-Id of a key.
package enum PeerRole: String, Sendable, Codable, CaseIterable {
    case node
    case client
}
