import Foundation
import GRDB

/// Writes the rows of the tables the journal writes once per task (`report`, `assignment`): a
/// record's Codable form becomes one `INSERT` whose columns are its coding keys, in the order it
/// encodes them, nil included as NULL, so that the statement is the same for every row and
/// SQLite prepares it once. GRDB's own persistence builds the same row through a dictionary and
/// primary-key lookups on every insert, which costs more than the rest of a report's handling.
///
/// Values are SQLite's: text, integers, reals, blobs, NULL; anything else (a list, a nested
/// struct) is stored as its JSON text, as GRDB stores it.
struct ColumnEncoder {
    /// The columns and values of `record`, in the order it encodes them.
    /// Throws `EncodingError.invalidValue` for a record that is not a flat list of columns.
    static func row<Record: Encodable>(_ record: Record) throws -> (columns: [String], values: [DatabaseValue]) {
        let encoder = Encoder()
        try record.encode(to: encoder)
        if let problem = encoder.problem {
            throw EncodingError.invalidValue(record, .init(codingPath: [], debugDescription: problem))
        }
        return (encoder.columns, encoder.values)
    }

    /// `INSERT OR <conflict> INTO table (columns) VALUES (?, …)`.
    static func insertSQL(into table: String, columns: [String], onConflict conflict: String) -> String {
        let names = columns.map(\.quotedDatabaseIdentifier).joined(separator: ", ")
        let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        return "INSERT OR \(conflict) INTO \(table.quotedDatabaseIdentifier) (\(names)) VALUES (\(marks))"
    }

    final class Encoder: Swift.Encoder {
        var columns: [String] = []
        var values: [DatabaseValue] = []
        /// Why the record is not a row, once known.
        var problem: String?
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func column(_ key: some CodingKey, _ value: DatabaseValue) {
            columns.append(key.stringValue)
            values.append(value)
        }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            KeyedEncodingContainer(Columns(encoder: self))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            problem = "a journal row is a keyed record, not a list"
            return Discarding(encoder: self)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer {
            problem = "a journal row is a keyed record, not a single value"
            return Discarding(encoder: self)
        }
    }

    private struct Columns<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: Encoder
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil(forKey key: Key) throws { encoder.column(key, .null) }
        mutating func encode(_ value: String, forKey key: Key) throws { encoder.column(key, value.databaseValue) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { encoder.column(key, value.databaseValue) }
        mutating func encode(_ value: Double, forKey key: Key) throws { encoder.column(key, value.databaseValue) }
        mutating func encode(_ value: Int, forKey key: Key) throws { encoder.column(key, value.databaseValue) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { encoder.column(key, value.databaseValue) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { encoder.column(key, value.databaseValue) }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            if let convertible = value as? any DatabaseValueConvertible {
                encoder.column(key, convertible.databaseValue)
            } else {
                encoder.column(key, String(decoding: try JSONEncoder().encode(value), as: UTF8.self).databaseValue)
            }
        }

        // Absent optionals are NULL columns, not missing ones: every row has the same columns.
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { encoder.column(key, value.databaseValue) }
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { encoder.column(key, value.databaseValue) }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { encoder.column(key, value.databaseValue) }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { encoder.column(key, value.databaseValue) }
        mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { encoder.column(key, value.databaseValue) }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { encoder.column(key, value.databaseValue) }
        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { encoder.column(key, .null) }
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey> {
            encoder.problem = "a journal row has no nested containers (\(key.stringValue))"
            return KeyedEncodingContainer(Columns<NestedKey>(encoder: encoder))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            encoder.problem = "a journal row has no nested containers (\(key.stringValue))"
            return Discarding(encoder: encoder)
        }

        /// The same row: a record flattens what it encodes into it.
        mutating func superEncoder() -> any Swift.Encoder { encoder }
        mutating func superEncoder(forKey key: Key) -> any Swift.Encoder {
            encoder.problem = "a journal row has no nested values (\(key.stringValue))"
            return encoder
        }
    }

    /// What a record that is not a row encodes into: nothing (``row(_:)`` then throws).
    private struct Discarding: UnkeyedEncodingContainer, SingleValueEncodingContainer {
        let encoder: Encoder
        var codingPath: [any CodingKey] { [] }
        var count: Int { 0 }

        mutating func encodeNil() throws {}
        mutating func encode<T: Encodable>(_ value: T) throws {}

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Columns<NestedKey>(encoder: encoder))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { self }
        mutating func superEncoder() -> any Swift.Encoder { encoder }
    }
}
