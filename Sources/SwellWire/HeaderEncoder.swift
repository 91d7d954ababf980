import Foundation

/// Writes a message struct's Codable form as a JSON header, directly into bytes.
///
/// Every `Data` value becomes a payload part instead: the header holds the part's index (0, 1, …
/// in the order the struct encodes them) and the bytes go to `parts`. Optional fields that are nil
/// are left out, as `JSONEncoder` does. The top-level key `parts` is the header's own (the part
/// lengths): no message has a field of that name. Containers must be used in nesting order (as synthesized
/// Codable and the standard library's collections use them); one value's `encode(to:)` may ask
/// for its keyed container more than once, and gets the same object each time.
final class HeaderEncoder: Encoder {
    fileprivate(set) var writer = JSONWriter()
    private(set) var parts: [Data] = []
    /// Not kept: encoding Swell's messages cannot fail.
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// Open containers, innermost last: which bracket closes each, whether it has an element yet,
    /// and the depth of the value that opened it.
    private struct Open {
        var closer: UInt8
        var empty: Bool
        var owner: Int
    }
    private var open: [Open] = []
    /// Depth of the value being encoded (0: none yet).
    private var depth = 0

    /// The header of `value`, its part lengths included, and its parts.
    static func encode<T: Encodable>(_ value: T) throws -> (header: [UInt8], parts: [Data]) {
        let encoder = HeaderEncoder()
        try encoder.value(value)
        encoder.appendPartLengths()
        return (encoder.writer.bytes, encoder.parts)
    }

    /// Appends `"parts":[…]` to the top-level object when there are parts.
    private func appendPartLengths() {
        guard !parts.isEmpty, writer.bytes.last == UInt8(ascii: "}") else { return }
        writer.removeLast()
        if writer.bytes.last != UInt8(ascii: "{") { writer.byte(UInt8(ascii: ",")) }
        writer.key("parts", first: true)
        writer.byte(UInt8(ascii: "["))
        for (index, part) in parts.enumerated() {
            if index > 0 { writer.byte(UInt8(ascii: ",")) }
            writer.integer(part.count)
        }
        writer.raw("]}")
    }

    // MARK: Values

    /// Writes a value that is not a JSON primitive (those have containers' own overloads).
    func value<T: Encodable>(_ value: T) throws {
        if T.self == Data.self {
            writer.integer(parts.count)
            parts.append(value as! Data)
        } else if T.self == String.self {
            writer.string(value as! String)
        } else {
            depth += 1
            defer { depth -= 1 }
            let before = writer.bytes.count
            let stack = open.count
            try value.encode(to: self)
            while open.count > stack { close() }
            // A value that encoded nothing is an empty object, as with JSONEncoder.
            if writer.bytes.count == before { writer.raw("{}") }
        }
    }

    fileprivate func string(_ value: String) { writer.string(value) }
    fileprivate func bool(_ value: Bool) { writer.bool(value) }
    fileprivate func double(_ value: Double) { writer.double(value) }
    fileprivate func integer(_ value: some FixedWidthInteger) { writer.integer(value) }

    private func close() {
        writer.byte(open.removeLast().closer)
    }

    /// Writes the separator before a container's next element.
    fileprivate func element() {
        guard let last = open.indices.last else { return }
        if open[last].empty {
            open[last].empty = false
        } else {
            writer.byte(UInt8(ascii: ","))
        }
    }

    fileprivate func key(_ key: some CodingKey) {
        element()
        writer.string(key.stringValue)
        writer.byte(UInt8(ascii: ":"))
    }

    // MARK: Encoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if let last = open.last, last.owner == depth, last.closer == UInt8(ascii: "}") {
            return KeyedEncodingContainer(KeyedWriter(encoder: self))
        }
        writer.byte(UInt8(ascii: "{"))
        open.append(Open(closer: UInt8(ascii: "}"), empty: true, owner: depth))
        return KeyedEncodingContainer(KeyedWriter(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        writer.byte(UInt8(ascii: "["))
        open.append(Open(closer: UInt8(ascii: "]"), empty: true, owner: depth))
        return UnkeyedWriter(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleWriter(encoder: self) }

    /// A nested container inside the current one: opened now, closed with the value's others.
    fileprivate func nested(_ opener: UInt8, _ closer: UInt8) {
        writer.byte(opener)
        open.append(Open(closer: closer, empty: true, owner: depth))
    }
}

private struct KeyedWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: HeaderEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil(forKey key: Key) throws {
        encoder.key(key)
        encoder.writer.null()
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        encoder.key(key)
        try encoder.value(value)
    }

    mutating func encode(_ value: String, forKey key: Key) throws { encoder.key(key); encoder.string(value) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { encoder.key(key); encoder.bool(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { encoder.key(key); encoder.double(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { encoder.key(key); encoder.double(Double(value)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { encoder.key(key); encoder.integer(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { encoder.key(key); encoder.integer(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { encoder.key(key); encoder.integer(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { encoder.key(key); encoder.integer(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { encoder.key(key); encoder.integer(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { encoder.key(key); encoder.integer(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { encoder.key(key); encoder.integer(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { encoder.key(key); encoder.integer(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { encoder.key(key); encoder.integer(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { encoder.key(key); encoder.integer(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey> {
        encoder.key(key)
        encoder.nested(UInt8(ascii: "{"), UInt8(ascii: "}"))
        return KeyedEncodingContainer(KeyedWriter<NestedKey>(encoder: encoder))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        encoder.key(key)
        encoder.nested(UInt8(ascii: "["), UInt8(ascii: "]"))
        return UnkeyedWriter(encoder: encoder)
    }

    mutating func superEncoder() -> any Encoder { encoder }
    mutating func superEncoder(forKey key: Key) -> any Encoder { encoder }
}

private struct UnkeyedWriter: UnkeyedEncodingContainer {
    let encoder: HeaderEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }
    private(set) var count = 0

    init(encoder: HeaderEncoder) { self.encoder = encoder }

    mutating func encodeNil() throws {
        encoder.element()
        encoder.writer.null()
        count += 1
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.element()
        try encoder.value(value)
        count += 1
    }

    mutating func encode(_ value: String) throws { encoder.element(); encoder.string(value); count += 1 }
    mutating func encode(_ value: Bool) throws { encoder.element(); encoder.bool(value); count += 1 }
    mutating func encode(_ value: Double) throws { encoder.element(); encoder.double(value); count += 1 }
    mutating func encode(_ value: Float) throws { encoder.element(); encoder.double(Double(value)); count += 1 }
    mutating func encode(_ value: Int) throws { encoder.element(); encoder.integer(value); count += 1 }
    mutating func encode(_ value: Int8) throws { encoder.element(); encoder.integer(value); count += 1 }
    mutating func encode(_ value: Int16) throws { encoder.element(); encoder.integer(value); count += 1 }
    mutating func encode(_ value: Int32) throws { encoder.element(); encoder.integer(value); count += 1 }
    mutating func encode(_ value: Int64) throws { encoder.element(); encoder.integer(value); count += 1 }
    mutating func encode(_ value: UInt) throws { encoder.element(); encoder.integer(value); count += 1 }
    mutating func encode(_ value: UInt8) throws { encoder.element(); encoder.integer(value); count += 1 }
    mutating func encode(_ value: UInt16) throws { encoder.element(); encoder.integer(value); count += 1 }
    mutating func encode(_ value: UInt32) throws { encoder.element(); encoder.integer(value); count += 1 }
    mutating func encode(_ value: UInt64) throws { encoder.element(); encoder.integer(value); count += 1 }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        encoder.element()
        encoder.nested(UInt8(ascii: "{"), UInt8(ascii: "}"))
        count += 1
        return KeyedEncodingContainer(KeyedWriter<NestedKey>(encoder: encoder))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        encoder.element()
        encoder.nested(UInt8(ascii: "["), UInt8(ascii: "]"))
        count += 1
        return UnkeyedWriter(encoder: encoder)
    }

    mutating func superEncoder() -> any Encoder { encoder }
}

private struct SingleWriter: SingleValueEncodingContainer {
    let encoder: HeaderEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { encoder.writer.null() }
    mutating func encode<T: Encodable>(_ value: T) throws { try encoder.value(value) }
    mutating func encode(_ value: String) throws { encoder.string(value) }
    mutating func encode(_ value: Bool) throws { encoder.bool(value) }
    mutating func encode(_ value: Double) throws { encoder.double(value) }
    mutating func encode(_ value: Float) throws { encoder.double(Double(value)) }
    mutating func encode(_ value: Int) throws { encoder.integer(value) }
    mutating func encode(_ value: Int8) throws { encoder.integer(value) }
    mutating func encode(_ value: Int16) throws { encoder.integer(value) }
    mutating func encode(_ value: Int32) throws { encoder.integer(value) }
    mutating func encode(_ value: Int64) throws { encoder.integer(value) }
    mutating func encode(_ value: UInt) throws { encoder.integer(value) }
    mutating func encode(_ value: UInt8) throws { encoder.integer(value) }
    mutating func encode(_ value: UInt16) throws { encoder.integer(value) }
    mutating func encode(_ value: UInt32) throws { encoder.integer(value) }
    mutating func encode(_ value: UInt64) throws { encoder.integer(value) }
}
