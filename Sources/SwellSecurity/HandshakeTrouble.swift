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

    /// The trouble an event shows, or nil for a successful handshake. `secured`: this peer
    /// connects with keys.
    package init?(_ event: ZMQHandshakeEvent, secured: Bool) {
        switch event {
        case .succeeded: return nil
        case .refused: self = .keyNotAuthorized
        case .mechanismMismatch: self = secured ? .keysNotUsed : .keyRequired
        case .failed: self = secured ? .failed : .keyRequired
        }
    }
}
