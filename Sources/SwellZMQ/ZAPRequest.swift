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

/// The handler's answer: admit under a user id, or refuse.
package enum ZAPResponse: Sendable {
    case allow(userID: String)
    case deny(reason: String)

    func frames(for request: [Data]) -> [Data] {
        let requestID = request.count > 1 ? request[1] : Data()
        switch self {
        case .allow(let userID):
            return [Data("1.0".utf8), requestID, Data("200".utf8), Data("OK".utf8), Data(userID.utf8), Data()]
        case .deny(let reason):
            return [Data("1.0".utf8), requestID, Data("400".utf8), Data(reason.utf8), Data(), Data()]
        }
    }

    static func malformedReply(_ request: [Data]) -> [Data] {
        ZAPResponse.deny(reason: "malformed ZAP request").frames(for: request)
    }
}
