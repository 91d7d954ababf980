/// A parsed JSON value: what ``JSONReader`` makes of a message header, and ``HeaderDecoder`` reads.
package enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double, integer: Int64?)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    package subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    package var string: String? { if case .string(let s) = self { s } else { nil } }
    package var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    package var double: Double? { if case .number(let d, _) = self { d } else { nil } }
    package var int: Int? {
        if case .number(_, let i?) = self { return Int(exactly: i) }
        return nil
    }
    package var isNull: Bool { self == .null }
}
