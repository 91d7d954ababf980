package import Foundation

/// Regular expressions over task output, with a time limit: a pattern that backtracks without
/// end must not hold a task's slot for ever.
package enum TimedMatch {
    /// How long one search may take.
    package static let timeLimit: TimeInterval = 2

    package enum Result {
        case found(NSTextCheckingResult)
        case none
        /// The search gave up after ``timeLimit``.
        case tooLong
    }

    /// The regular expression (ICU syntax, `^` and `$` at line ends), or nil when `pattern` is not one.
    package static func compile(_ pattern: String) -> NSRegularExpression? {
        try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
    }

    /// The first match of `regex` in `text`.
    package static func first(_ regex: NSRegularExpression, in text: String) -> Result {
        let started = Date()
        var result = Result.none
        regex.enumerateMatches(in: text, options: [.reportProgress], range: NSRange(text.startIndex..., in: text)) { match, _, stop in
            if let match {
                result = .found(match)
                stop.pointee = true
            } else if Date().timeIntervalSince(started) > timeLimit {
                result = .tooLong
                stop.pointee = true
            }
        }
        return result
    }

    /// What the first match of `regex` in `text` captured: its first group that took part in the
    /// match (alternatives may each have one), else the whole match; nil without a match.
    package static func captured(_ regex: NSRegularExpression, in text: String) -> String? {
        guard case .found(let found) = first(regex, in: text) else { return nil }
        return (1..<max(1, found.numberOfRanges)).lazy.compactMap({ group($0, of: found, in: text) }).first
            ?? group(0, of: found, in: text)
    }

    /// The text of capture group `group` of `match` in `text`.
    package static func group(_ group: Int, of match: NSTextCheckingResult, in text: String) -> String? {
        guard group < match.numberOfRanges, let range = Range(match.range(at: group), in: text) else { return nil }
        return String(text[range])
    }
}
