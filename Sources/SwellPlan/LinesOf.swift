package import Foundation
import SwellCore

/// Scopes of `lines-of` partitions, computed from an earlier stage's output at run time.
package enum LinesOf {
    /// One scope per non-empty line (whitespace trimmed at both ends, so a `\r` before the
    /// `\n` is dropped), in order; an error message when two lines are the same or overlap, or
    /// when the output was `cut` at a node's output cap (it ends with a partial line and the
    /// runner's marker, neither of them a scope).
    ///
    /// Works on the bytes: a million-line output is split in well under a second. An output
    /// that is not UTF-8 is an error that names its first such line: a scope is text, and its
    /// bytes are never changed.
    package static func scopes(from output: Data, cut: Bool = false, stage: String, source: String) -> Result<[String], LinesOfError> {
        if cut {
            return .failure(LinesOfError(message:
                "stage '\(stage)': the output of '\(source)' cannot be its scopes: it was cut at the output cap; raise the coordinator's --output-cap, or have '\(source)' write fewer lines"))
        }
        // A scope reaches its task as an argument and in SWELL_SCOPE, C strings both: a NUL would
        // cut it short (two lines could become the same scope).
        if let nul = output.firstIndex(of: 0) {
            let line = output[output.startIndex..<nul].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            return .failure(LinesOfError(message:
                "stage '\(stage)': the output of '\(source)' cannot be its scopes: line \(line) holds a NUL byte, which no scope may"))
        }
        if String(validating: output, as: UTF8.self) == nil {
            var line = 1
            for piece in output.split(separator: 0x0A, omittingEmptySubsequences: false) {
                if String(validating: piece, as: UTF8.self) == nil { break }
                line += 1
            }
            return .failure(LinesOfError(message:
                "stage '\(stage)': the output of '\(source)' cannot be its scopes: line \(line) is not UTF-8 text, which a scope must be"))
        }
        let scopes = lines(of: output)
        if let overlap = Scope.firstOverlap(in: scopes) {
            let what = overlap.firstPath == overlap.secondPath
                ? "line \(overlap.second + 1) repeats '\(Scope.shortened(overlap.firstPath))'"
                : "'\(Scope.shortened(overlap.firstPath))' (line \(overlap.first + 1)) and '\(Scope.shortened(overlap.secondPath))' (line \(overlap.second + 1)) overlap"
            return .failure(LinesOfError(message:
                "stage '\(stage)': the output of '\(source)' cannot be its scopes: \(what); scopes must be unique and must not overlap (try `sort -u`)"))
        }
        return .success(scopes)
    }

    /// The non-empty lines of `output`, trimmed.
    static func lines(of output: Data) -> [String] {
        output.withUnsafeBytes { raw -> [String] in
            let bytes = raw.bindMemory(to: UInt8.self)
            var lines: [String] = []
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != 0x0A { end += 1 }
                var first = start
                var last = end
                while first < last, isASCIISpace(bytes[first]) { first += 1 }
                while last > first, isASCIISpace(bytes[last - 1]) { last -= 1 }
                if first < last {
                    let line = String(decoding: UnsafeBufferPointer(rebasing: bytes[first..<last]), as: UTF8.self)
                    if bytes[first] < 0x80, bytes[last - 1] < 0x80 {
                        lines.append(line)
                    } else {
                        // Whitespace beyond ASCII (a no-break space, U+3000) is trimmed too.
                        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
                        if !trimmed.isEmpty { lines.append(trimmed) }
                    }
                }
                start = end + 1
            }
            return lines
        }
    }

    static func isASCIISpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }
}
