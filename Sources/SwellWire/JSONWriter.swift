import SwellCore

/// Writes JSON text directly into bytes (``HeaderEncoder``'s output).
package struct JSONWriter {
    package private(set) var bytes: [UInt8] = []

    package init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    mutating func byte(_ byte: UInt8) { bytes.append(byte) }
    mutating func removeLast() { bytes.removeLast() }

    mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func key(_ name: StaticString, first: Bool = false) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        raw(name)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func string(_ value: String) { JSONText.appendString(value, to: &bytes) }

    mutating func integer<T: BinaryInteger>(_ value: T) { bytes.append(contentsOf: String(value).utf8) }
    mutating func double(_ value: Double) {
        // Shortest text that reads back to the same Double.
        bytes.append(contentsOf: (value.isFinite ? "\(value)" : "0").utf8)
    }
    mutating func bool(_ value: Bool) { if value { raw("true") } else { raw("false") } }
    mutating func null() { raw("null") }
}
