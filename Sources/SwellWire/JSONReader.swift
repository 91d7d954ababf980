package import Foundation

/// A strict JSON reader (RFC 8259) over UTF-8 bytes: no trailing garbage, nesting at most 32
/// levels deep, so that hostile input can neither crash nor exhaust the stack.
package struct JSONReader {
    package struct Failure: Error, Sendable {
        package var offset: Int
        package var problem: String
    }

    static let maximumDepth = 32

    package static func parse(_ data: Data) throws(Failure) -> JSONValue {
        let result: Result<JSONValue, Failure> = data.withUnsafeBytes { raw in
            var reader = JSONReader(bytes: raw.bindMemory(to: UInt8.self))
            do throws(Failure) {
                reader.skipSpace()
                let value = try reader.value(depth: 0)
                reader.skipSpace()
                guard reader.position == reader.bytes.count else { throw reader.fail("unexpected text after the value") }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func fail(_ problem: String) -> Failure { Failure(offset: position, problem: problem) }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipSpace() {
        while let c = current, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { position += 1 }
    }

    mutating func expect(_ literal: StaticString) throws(Failure) {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw fail("truncated") }
        for i in 0..<count where bytes[position + i] != literal.utf8Start[i] { throw fail("invalid literal") }
        position += count
    }

    mutating func value(depth: Int) throws(Failure) -> JSONValue {
        guard depth < Self.maximumDepth else { throw fail("nested too deeply") }
        guard let c = current else { throw fail("truncated") }
        switch c {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        default: return try number()
        }
    }

    mutating func object(depth: Int) throws(Failure) -> JSONValue {
        position += 1
        var fields: [String: JSONValue] = [:]
        skipSpace()
        if current == UInt8(ascii: "}") { position += 1; return .object(fields) }
        while true {
            skipSpace()
            guard current == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let key = try string()
            skipSpace()
            guard current == UInt8(ascii: ":") else { throw fail("expected ':'") }
            position += 1
            skipSpace()
            fields[key] = try value(depth: depth + 1)
            skipSpace()
            guard let c = current else { throw fail("truncated") }
            position += 1
            if c == UInt8(ascii: "}") { return .object(fields) }
            guard c == UInt8(ascii: ",") else { throw fail("expected ',' or '}'") }
        }
    }

    mutating func array(depth: Int) throws(Failure) -> JSONValue {
        position += 1
        var items: [JSONValue] = []
        skipSpace()
        if current == UInt8(ascii: "]") { position += 1; return .array(items) }
        while true {
            skipSpace()
            items.append(try value(depth: depth + 1))
            skipSpace()
            guard let c = current else { throw fail("truncated") }
            position += 1
            if c == UInt8(ascii: "]") { return .array(items) }
            guard c == UInt8(ascii: ",") else { throw fail("expected ',' or ']'") }
        }
    }

    mutating func string() throws(Failure) -> String {
        position += 1
        let start = position
        // Fast path: no escapes.
        while let c = current, c != UInt8(ascii: "\""), c != UInt8(ascii: "\\") {
            guard c >= 0x20 else { throw fail("control character in a string") }
            position += 1
        }
        guard let stop = current else { throw fail("truncated string") }
        if stop == UInt8(ascii: "\"") {
            let text = try utf8(start..<position)
            position += 1
            return text
        }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: try utf8(start..<position).unicodeScalars)
        while true {
            guard let c = current else { throw fail("truncated string") }
            position += 1
            switch c {
            case UInt8(ascii: "\""):
                return String(scalars)
            case UInt8(ascii: "\\"):
                guard let e = current else { throw fail("truncated escape") }
                position += 1
                switch e {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800...0xDBFF).contains(code) {
                        guard current == UInt8(ascii: "\\") else { throw fail("lone surrogate") }
                        position += 1
                        guard current == UInt8(ascii: "u") else { throw fail("lone surrogate") }
                        position += 1
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("invalid surrogate pair") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw fail("invalid \\u escape") }
                    scalars.append(scalar)
                default:
                    throw fail("invalid escape")
                }
            default:
                guard c >= 0x20 else { throw fail("control character in a string") }
                // Copy a run of plain bytes at once.
                let run = position - 1
                while let d = current, d != UInt8(ascii: "\""), d != UInt8(ascii: "\\"), d >= 0x20 { position += 1 }
                scalars.append(contentsOf: try utf8(run..<position).unicodeScalars)
            }
        }
    }

    mutating func hex4() throws(Failure) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[position]
            position += 1
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw fail("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    func utf8(_ range: Range<Int>) throws(Failure) -> String {
        guard let text = String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) else {
            throw Failure(offset: range.lowerBound, problem: "invalid UTF-8")
        }
        return text
    }

    mutating func number() throws(Failure) -> JSONValue {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        guard let first = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { throw fail("invalid value") }
        if first == UInt8(ascii: "0") {
            position += 1
        } else {
            while let c = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { position += 1 }
        }
        var integral = true
        if current == UInt8(ascii: ".") {
            integral = false
            position += 1
            guard let c = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) else { throw fail("invalid number") }
            while let c = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { position += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            integral = false
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard let c = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) else { throw fail("invalid number") }
            while let c = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { position += 1 }
        }
        let text = try utf8(start..<position)
        guard let double = Double(text) else { throw fail("invalid number") }
        return .number(double, integer: integral ? Int64(text) : nil)
    }
}
