package import Foundation

/// A ZAP (ZeroMQ Authentication Protocol, RFC 27) request as libzmq sends it to the handler.
package struct ZAPRequest: Sendable {
    package var domain: String
    package var address: String
    package var mechanism: String
    /// For CURVE, the client's 32-byte public key.
    package var credentials: [Data]

    init?(frames: [Data]) {
        // version, request id, domain, address, identity, mechanism, credentials...
        guard frames.count >= 6, frames[0] == Data("1.0".utf8) else { return nil }
        domain = String(decoding: frames[2], as: UTF8.self)
        address = String(decoding: frames[3], as: UTF8.self)
        mechanism = String(decoding: frames[5], as: UTF8.self)
        credentials = Array(frames.dropFirst(6))
    }
}
