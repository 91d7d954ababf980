/// Why an inbound message was dropped.
package struct WireError: Error, Sendable, CustomStringConvertible {
    package enum Kind: String, Sendable {
        /// Wrong frame count, bad JSON, inconsistent payload.
        case malformed
        /// Another protocol, or another version of this one.
        case unknownVersion
        case unknownType
    }

    package var kind: Kind
    package var detail: String

    package init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    package var description: String { "\(kind.rawValue): \(detail)" }
}
