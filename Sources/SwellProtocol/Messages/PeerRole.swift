/// Who a peer of the coordinator is.
package enum PeerRole: String, Sendable, Codable {
    case node
    case client
}
