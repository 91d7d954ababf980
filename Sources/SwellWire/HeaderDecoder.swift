import Foundation

/// Reads a message struct from its JSON header (parsed by ``JSONReader``) and payload parts: the
/// counterpart of ``HeaderEncoder``.
///
/// A `Data` field holds the index of its part, and every part must be used exactly once: anything
/// else is a `DecodingError`, as is a missing field or a value of the wrong type (integers must be
/// exact: `1.5` or `3000000000` is not an `Int32`).
final class HeaderDecoder: Decoder {
    /// The payload parts, and how many have been read: shared by the decoders of nested values.
    final class Parts {
        let parts: [Data]
        var taken: [Bool]
        var used = 0
        init(_ parts: [Data]) {
            self.parts = parts
            taken = Array(repeating: false, count: parts.count)
        }

        /// Part `index`, once.
        func take(_ index: Int64) -> Data? {
            guard index >= 0, index < parts.count, !taken[Int(index)] else { return nil }
            taken[Int(index)] = true
            used += 1
            return parts[Int(index)]
        }
    }

    let parts: Parts
    let value: JSONValue
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(value: JSONValue, parts: Parts, codingPath: [any CodingKey] = []) {
        self.value = value
        self.parts = parts
        self.codingPath = codingPath
    }

    /// Reads `T` from `header` and `parts`; every part must be used.
    static func decode<T: Decodable>(_ type: T.Type, from header: JSONValue, parts: [Data]) throws -> T {
        let decoder = HeaderDecoder(value: header, parts: Parts(parts))
        let result = try decoder.read(T.self, from: header, path: [])
        guard decoder.parts.used == parts.count else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\(parts.count - decoder.parts.used) payload part(s) not used"))
        }
        return result
    }

    // MARK: Values

    /// Reads `T` from `value`; `path` is only worked out for an error or a nested value.
    func read<T: Decodable>(_ type: T.Type, from value: JSONValue, path: @autoclosure () -> [any CodingKey]) throws -> T {
        if T.self == String.self { return try string(value, path()) as! T }
        if T.self == Data.self {
            guard case .number(_, let index?) = value, let part = parts.take(index) else {
                throw DecodingError.dataCorrupted(.init(codingPath: path(), debugDescription: "not the index of an unused payload part"))
            }
            return part as! T
        }
        if T.self == Float.self { return Float(try double(value, path())) as! T }
        if let integer = T.self as? any FixedWidthInteger.Type { return try self.integer(integer, value, path()) as! T }
        return try T(from: HeaderDecoder(value: value, parts: parts, codingPath: path()))
    }

    func string(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> String {
        guard case .string(let string) = value else { throw Self.mismatch(String.self, path()) }
        return string
    }

    func bool(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> Bool {
        guard case .bool(let bool) = value else { throw Self.mismatch(Bool.self, path()) }
        return bool
    }

    func double(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> Double {
        guard case .number(let double, _) = value else { throw Self.mismatch(Double.self, path()) }
        return double
    }

    func integer<I: FixedWidthInteger>(_ type: I.Type, _ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> I {
        guard case .number(_, let integer?) = value, let exact = I(exactly: integer) else { throw Self.mismatch(I.self, path()) }
        return exact
    }

    static func mismatch<T>(_ type: T.Type, _ path: [any CodingKey]) -> DecodingError {
        .typeMismatch(T.self, .init(codingPath: path, debugDescription: "expected \(T.self)"))
    }

    // MARK: Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let fields) = value else {
            throw DecodingError.typeMismatch([String: Any].self, .init(codingPath: codingPath, debugDescription: "expected an object"))
        }
        return KeyedDecodingContainer(KeyedReader(decoder: self, fields: fields, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "expected an array"))
        }
        return UnkeyedReader(decoder: self, items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleReader(decoder: self, value: value, codingPath: codingPath)
    }
}

/// An index into an array, as a coding key.
private struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

private struct KeyedReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: HeaderDecoder
    let fields: [String: JSONValue]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { fields.keys.compactMap(Key.init(stringValue:)) }

    func contains(_ key: Key) -> Bool { fields[key.stringValue] != nil }

    func field(_ key: Key) throws -> JSONValue {
        guard let value = fields[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { try field(key) == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.read(T.self, from: try field(key), path: codingPath + [key])
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder.string(try field(key), codingPath + [key]) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder.bool(try field(key), codingPath + [key]) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder.double(try field(key), codingPath + [key]) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder.integer(Int.self, try field(key), codingPath + [key]) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decoder.integer(Int32.self, try field(key), codingPath + [key]) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoder.integer(Int64.self, try field(key), codingPath + [key]) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decoder.integer(UInt64.self, try field(key), codingPath + [key]) }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = fields[key.stringValue], value != .null else { return nil }
        return try decoder.read(T.self, from: value, path: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        guard case .object(let nested) = try field(key) else {
            throw DecodingError.typeMismatch([String: Any].self, .init(codingPath: codingPath + [key], debugDescription: "expected an object"))
        }
        return KeyedDecodingContainer(KeyedReader<NestedKey>(decoder: decoder, fields: nested, codingPath: codingPath + [key]))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = try field(key) else {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath + [key], debugDescription: "expected an array"))
        }
        return UnkeyedReader(decoder: decoder, items: items, codingPath: codingPath + [key])
    }

    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder {
        HeaderDecoder(value: try field(key), parts: decoder.parts, codingPath: codingPath + [key])
    }
}

private struct UnkeyedReader: UnkeyedDecodingContainer {
    let decoder: HeaderDecoder
    let items: [JSONValue]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(decoder: HeaderDecoder, items: [JSONValue], codingPath: [any CodingKey]) {
        self.decoder = decoder
        self.items = items
        self.codingPath = codingPath
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    mutating func next<T>(_ type: T.Type) throws -> JSONValue {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(T.self, .init(codingPath: codingPath + [IndexKey(intValue: currentIndex)], debugDescription: "at the end"))
        }
        defer { currentIndex += 1 }
        return items[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let index = currentIndex
        return try decoder.read(T.self, from: try next(T.self), path: codingPath + [IndexKey(intValue: index)])
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let index = currentIndex
        return try decoder.string(try next(String.self), codingPath + [IndexKey(intValue: index)])
    }

    mutating func decode(_ type: Int.Type) throws -> Int {
        let index = currentIndex
        return try decoder.integer(Int.self, try next(Int.self), codingPath + [IndexKey(intValue: index)])
    }

    mutating func decode(_ type: UInt64.Type) throws -> UInt64 {
        let index = currentIndex
        return try decoder.integer(UInt64.self, try next(UInt64.self), codingPath + [IndexKey(intValue: index)])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let path = codingPath + [IndexKey(intValue: currentIndex)]
        guard case .object(let fields) = try next([String: Any].self) else {
            throw DecodingError.typeMismatch([String: Any].self, .init(codingPath: path, debugDescription: "expected an object"))
        }
        return KeyedDecodingContainer(KeyedReader<NestedKey>(decoder: decoder, fields: fields, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let path = codingPath + [IndexKey(intValue: currentIndex)]
        guard case .array(let items) = try next([Any].self) else {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: path, debugDescription: "expected an array"))
        }
        return UnkeyedReader(decoder: decoder, items: items, codingPath: path)
    }

    mutating func superDecoder() throws -> any Decoder {
        HeaderDecoder(value: try next(Any.self), parts: decoder.parts, codingPath: codingPath)
    }
}

private struct SingleReader: SingleValueDecodingContainer {
    let decoder: HeaderDecoder
    let value: JSONValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { value == .null }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try decoder.read(T.self, from: value, path: codingPath)
    }

    func decode(_ type: String.Type) throws -> String { try decoder.string(value, codingPath) }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.bool(value, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try decoder.double(value, codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.integer(Int.self, value, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.integer(Int32.self, value, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.integer(Int64.self, value, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.integer(UInt64.self, value, codingPath) }
}
