package import SwellCore
package import SwellZMQ

/// Why a connection to a coordinator failed its security handshake, as a node or a client
/// explains it to its user.
package enum HandshakeTrouble: Sendable, Equatable {
    /// The coordinator refused this peer's key (it is not in the authorized file).
    case keyNotAuthorized
    /// The coordinator admits by key, and this peer has none.
    case keyRequired
    /// This peer has keys, and the coordinator uses none.
    case keysNotUsed
    /// Both use keys and the handshake still failed: most likely the wrong coordinator key.
    case failed
    /// This peer has no keys and the handshake did not complete, with no reason given: the
    /// coordinator hung up (it may admit by key only), or did not answer within libzmq's
    /// handshake time (30 s: a coordinator paused or too busy to answer).
    case unanswered

    /// The trouble an event shows, or nil for a successful handshake. `secured`: this peer
    /// connects with keys.
    package init?(_ event: ZMQHandshakeEvent, secured: Bool) {
        switch event {
        case .succeeded, .turnedAway: return nil
        case .refused: self = .keyNotAuthorized
        case .mechanismMismatch: self = secured ? .keysNotUsed : .keyRequired
        case .failed: self = secured ? .failed : .unanswered
        }
    }

    /// What a `role` peer connecting to `endpoint` tells its user, with what to do about it.
    package func explanation(coordinator endpoint: String, as role: PeerRole, publicKey: String? = nil) -> String {
        switch (self, role) {
        case (.keyNotAuthorized, .client):
            "the coordinator at \(endpoint) did not admit this client: its key is not authorized as a client there"
        case (.keyNotAuthorized, .node):
            "the coordinator at \(endpoint) refused this node's key: its operator must add `node NAME \(publicKey ?? "PUBLIC-KEY")` for it to the authorized file (and send the coordinator SIGHUP)"
        case (.keyRequired, .client):
            "the coordinator at \(endpoint) admits clients by key only: pass --key and --coordinator-key (or set SWELL_KEY and SWELL_COORDINATOR_KEY)"
        case (.keyRequired, .node):
            "the coordinator at \(endpoint) admits nodes by key only: start this node with --key and --coordinator-key"
        case (.unanswered, _):
            // Most often a coordinator that admits by key only hanging up on a keyless peer; a
            // paused one says no more.
            Self.keyRequired.explanation(coordinator: endpoint, as: role)
                + " (or, if it uses no keys, it hung up or did not finish the handshake in time: it is at its connection limit"
                + ", paused or too busy to answer\(role == .node ? "; this node keeps trying" : ""))"
        case (.keysNotUsed, _):
            "the coordinator at \(endpoint) does not use keys: leave out --key and --coordinator-key"
        case (.failed, _):
            "the security handshake with the coordinator at \(endpoint) failed: is --coordinator-key its public key?"
        }
    }
}
