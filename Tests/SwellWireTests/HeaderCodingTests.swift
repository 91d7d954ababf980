import Foundation
import Testing
@testable import SwellWire

/// Every kind of value a message may hold.
struct Everything: Codable, Equatable {
    var int8: Int8 = -8, int16: Int16 = -16, int32: Int32 = -32, int64: Int64 = .min, int: Int = -1
    var uint8: UInt8 = 255, uint16: UInt16 = 16, uint32: UInt32 = 32, uint64: UInt64 = UInt64(Int64.max), uint: UInt = 7
    var float: Float = 1.5, double: Double = -0.25, bool = true, string = "a \"quoted\" é\n"
    var optional: String? = nil
    var list: [UInt8] = [1, 2, 3]
    var nested: [String: [Int16]] = ["a": [1], "b": []]
    var blobs: [String: Data] = ["x": Data("one".utf8), "y": Data(), "z": Data([0, 255])]
    var data = Data("last".utf8)
}

@Suite struct HeaderCodingTests {
    func roundTrip<T: Codable>(_ value: T) throws -> T {
        let (header, parts) = try HeaderEncoder.encode(value)
        return try HeaderDecoder.decode(T.self, from: try JSONReader.parse(Data(header)), parts: parts)
    }

    @Test func everyValueAMessageMayHoldComesBack() throws {
        let value = Everything()
        #expect(try roundTrip(value) == value)
        var other = value
        other.optional = "set"
        other.blobs = [:]
        #expect(try roundTrip(other) == other)
    }

    @Test func partsMustEachBeUsedOnceWhateverTheOrder() throws {
        struct Two: Codable { var a: Data; var b: Data }
        let parts = [Data("A".utf8), Data("B".utf8)]
        func decode(_ header: String) throws -> Two {
            try HeaderDecoder.decode(Two.self, from: try JSONReader.parse(Data(header.utf8)), parts: parts)
        }
        let swapped = try decode(#"{"a":1,"b":0}"#)
        #expect(swapped.a == Data("B".utf8) && swapped.b == Data("A".utf8))
        #expect(throws: DecodingError.self) { try decode(#"{"a":0,"b":0}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"a":0,"b":2}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"a":0,"b":-1}"#) }
        #expect(throws: DecodingError.self) {
            try HeaderDecoder.decode(Two.self, from: try JSONReader.parse(Data(#"{"a":0,"b":1}"#.utf8)), parts: parts + [Data()])
        }
    }

    @Test func integersMustFitTheirType() throws {
        struct Small: Codable { var value: UInt8 }
        for bad in [#"{"value":256}"#, #"{"value":-1}"#, #"{"value":1.5}"#, #"{"value":"1"}"#] {
            #expect(throws: DecodingError.self, "\(bad)") {
                try HeaderDecoder.decode(Small.self, from: try JSONReader.parse(Data(bad.utf8)), parts: [])
            }
        }
    }
}
