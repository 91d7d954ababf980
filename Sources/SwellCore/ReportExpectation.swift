package import Foundation

/// What a task's report must look like to count as done (a stage's `expect`): a coding agent
/// that hit a limit or died often exits 0 with an empty or partial report. A report that does
/// not meet it is a failed attempt, retried like any failure, with the reason.
package struct ReportExpectation: Sendable, Hashable, Codable {
    /// Some byte of stdout is not white space.
    package var nonEmpty: Bool
    /// At least this many bytes of stdout.
    package var minBytes: Int?
    /// Some line of stdout matches this regular expression (ICU syntax, `^` and `$` at line ends).
    package var match: String?
    package var format: Format?

    package enum Format: String, Sendable, Hashable, Codable, CaseIterable {
        /// One JSON value (an object, an array...).
        case json
        /// One JSON value on each non-empty line.
        case jsonl
    }

    package init(nonEmpty: Bool = false, minBytes: Int? = nil, match: String? = nil, format: Format? = nil) {
        self.nonEmpty = nonEmpty
        self.minBytes = minBytes
        self.match = match
        self.format = format
    }

    /// The regular expression, or nil when `pattern` is not one.
    package static func compile(_ pattern: String) -> NSRegularExpression? { TimedMatch.compile(pattern) }

    /// Why `stdout` does not meet the expectation, or nil when it does.
    package func problem(_ stdout: Data) -> String? {
        if nonEmpty, !stdout.contains(where: { !(0x09...0x0D).contains($0) && $0 != 0x20 }) {
            return stdout.isEmpty ? "empty report" : "report of white space only"
        }
        // Whatever else is asked, an empty report is reported as such.
        if stdout.isEmpty, minBytes != nil || match != nil || format != nil { return "empty report" }
        if let minBytes, stdout.count < minBytes {
            return "report of \(stdout.count) bytes, fewer than the \(minBytes) expected"
        }
        switch format {
        case .json?:
            if (try? JSONSerialization.jsonObject(with: stdout, options: [.fragmentsAllowed])) == nil {
                return "report is not valid JSON"
            }
        case .jsonl?:
            for (number, line) in stdout.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated()
            where line.contains(where: { !(0x09...0x0D).contains($0) && $0 != 0x20 }) {
                if (try? JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed])) == nil {
                    return "line \(number + 1) of the report is not valid JSON"
                }
            }
        case nil:
            break
        }
        if let match {
            guard let regex = Self.compile(match) else { return "'\(match)' is not a regular expression" }
            switch TimedMatch.first(regex, in: String(decoding: stdout, as: UTF8.self)) {
            case .found: break
            case .tooLong:
                return "matching '\(Scope.shortened(match, limit: 80))' took more than \(Int(TimedMatch.timeLimit)) s (a pattern that backtracks too much?)"
            case .none:
                return "no match for '\(Scope.shortened(match, limit: 80))'"
            }
        }
        return nil
    }
}
