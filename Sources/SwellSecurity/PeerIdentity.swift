package import SwellCore
import SwellZMQ

/// Who a peer is, as its key is authorized: written as the ZAP User-Id `role:name key`, so that
/// a connection admitted under a key that is later removed (or replaced) can be told apart.
package struct PeerIdentity: Sendable, Hashable {
    package var role: PeerRole
    package var name: String
    /// The public key (Z85) the connection was admitted with; nil in a User-Id without one.
    package var key: String?

    package init(role: PeerRole, name: String, key: String? = nil) {
        self.role = role
        self.name = name
        self.key = key
    }

    /// Reads a User-Id; nil for anything but `node:NAME` or `client:NAME`, each with an optional
    /// ` KEY` (names have no spaces).
    package init?(userID: String) {
        guard let colon = userID.firstIndex(of: ":"),
              let role = PeerRole(rawValue: String(userID[..<colon])) else { return nil }
        let rest = userID[userID.index(after: colon)...]
        if let space = rest.firstIndex(of: " ") {
            self.init(role: role, name: String(rest[..<space]), key: String(rest[rest.index(after: space)...]))
        } else {
            self.init(role: role, name: String(rest))
        }
    }

    package var userID: String { "\(role.rawValue):\(name)" + (key.map { " " + $0 } ?? "") }
}
