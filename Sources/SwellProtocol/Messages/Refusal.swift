package import SwellCore

/// The coordinator refuses or corrects a peer.
package struct Refusal: Sendable, Codable {
    package enum Code: String, Sendable, Codable {
        /// The coordinator does not know this connection (it restarted, or declared the node
        /// down): say HELLO again.
        case rejoin
        /// The message was not understood.
        case malformed
        case unsupportedVersion = "unsupported-version"
        /// The peer's key is not authorized for what it asked.
        case notAdmitted = "not-admitted"
        case unknownRun = "unknown-run"
        /// The run had already ended (a CANCEL of a finished run).
        case finished
        /// The run's plan has no such stage (a LOGS? filtered by stage).
        case unknownStage = "unknown-stage"
    }

    package var id: UInt64
    package var replyTo: UInt64?
    package var code: Code
    package var message: String

    /// A run this coordinator has neither in memory nor in its journal.
    package static func unknownRun(_ run: String, id: UInt64 = 0, replyTo: UInt64) -> Refusal {
        Refusal(id: id, replyTo: replyTo, code: .unknownRun, message: "no run \(run) in this coordinator's journal")
    }

    /// A CANCEL of a run that had already ended with `status`.
    package static func finished(_ run: String, status: RunStatus, id: UInt64 = 0, replyTo: UInt64) -> Refusal {
        Refusal(id: id, replyTo: replyTo, code: .finished, message: "run \(run) had already finished (\(status.rawValue))")
    }

    package init(id: UInt64, replyTo: UInt64?, code: Code, message: String) {
        self.id = id
        self.replyTo = replyTo
        self.code = code
        self.message = message
    }
}
