package import SwellCore
import SwellZMQ

/// Who a peer is, as its key is authorized: written as the ZAP User-Id `role:name`.
package struct PeerIdentity: Sendable, Hashable {
    package var role: PeerRole
    package var name: String

    package init(role: PeerRole, name: String) {
        self.role = role
        self.name = name
    }

    /// Reads a User-Id; nil for anything but `node:NAME` or `client:NAME`.
    package init?(userID: String) {
        guard let colon = userID.firstIndex(of: ":"),
              let role = PeerRole(rawValue: String(userID[..<colon])) else { return nil }
        self.init(role: role, name: String(userID[userID.index(after: colon)...]))
    }

    package var userID: String { "\(role.rawValue):\(name)" }
}
