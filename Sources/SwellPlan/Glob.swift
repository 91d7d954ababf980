/// File globs of `files` partitions: `*` and `?` within a path component, `[abc]` classes, and
/// `**` across directories. A glob without `/` matches file names; with `/`, paths relative to
/// the partition's root.
package struct Glob {
    package let pattern: String
    private let regex: Regex<AnyRegexOutput>
    package let matchesPaths: Bool

    package init(_ pattern: String) throws {
        self.pattern = pattern
        self.matchesPaths = pattern.contains("/")
        self.regex = try Regex(Self.regexSource(pattern))
    }

    /// Why `pattern` is not a valid glob, or nil.
    package static func problem(in pattern: String) -> String? {
        var depth = 0
        for c in pattern {
            if c == "[" { depth += 1 } else if c == "]" { depth = max(0, depth - 1) }
        }
        if depth != 0 { return "unclosed `[` in '\(pattern)'" }
        do { _ = try Glob(pattern) } catch { return "'\(pattern)' cannot be used (\(error))" }
        return nil
    }

    /// True when `relativePath` (relative to the root) matches.
    package func matches(_ relativePath: String) -> Bool {
        let subject = matchesPaths ? relativePath : String(relativePath.split(separator: "/").last ?? "")
        return (try? regex.wholeMatch(in: subject)) != nil
    }

    static func regexSource(_ pattern: String) -> String {
        var out = ""
        let chars = Array(pattern)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "*":
                if i + 1 < chars.count, chars[i + 1] == "*" {
                    if i + 2 < chars.count, chars[i + 2] == "/" {
                        out += "(?:.*/)?"
                        i += 3
                    } else {
                        out += ".*"
                        i += 2
                    }
                    continue
                }
                out += "[^/]*"
            case "?":
                out += "[^/]"
            case "[":
                var j = i + 1
                var body = ""
                if j < chars.count, chars[j] == "!" || chars[j] == "^" { body += "^"; j += 1 }
                while j < chars.count, chars[j] != "]" {
                    body += chars[j] == "\\" ? "\\\\" : String(chars[j])
                    j += 1
                }
                out += "[" + body + "]"
                i = j + 1
                continue
            default:
                if "\\.+()|{}^$".contains(c) { out += "\\" }
                out.append(c)
            }
            i += 1
        }
        return out
    }
}
