import Foundation

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
