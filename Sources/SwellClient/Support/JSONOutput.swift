import Foundation

/// The JSON that `--json` prints: pretty, keys sorted, slashes as they are, one trailing newline.
enum JSONOutput {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// `value` encoded by `encoder`, and a newline.
    static func data(_ value: some Encodable, encoder: JSONEncoder = encoder()) throws -> Data {
        var data = try encoder.encode(value)
        data.append(UInt8(ascii: "\n"))
        return data
    }
}

/// A `--json` object with `schemaVersion` beside its own keys (docs/cli.md says what stays the
/// same within a version).
struct Versioned<Value: Encodable>: Encodable {
    /// Raised when a key is renamed or removed, or changes meaning; adding keys keeps it.
    static var schemaVersion: Int { 1 }
    let value: Value

    init(_ value: Value) { self.value = value }

    enum Key: String, CodingKey { case schemaVersion }

    func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(Self.schemaVersion, forKey: .schemaVersion)
    }
}
