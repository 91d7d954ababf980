

/// `{scope}`, `{index}`, `{stage}`, `{run}` and `{vars.NAME}` in commands.
///
/// Only these exact forms are placeholders; any other text in braces (an awk program,
/// `${HOME}`) is left alone.
package enum Placeholders {
    package static let fixedNames: Set<String> = ["scope", "index", "stage", "run"]

    /// The placeholder names in `text` (`scope`, `vars.api`, ...), in order of appearance.
    package static func names(in text: String) -> [String] {
        var found: [String] = []
        scan(text) { name, _ in found.append(name) }
        return found
    }

    /// `text` with each placeholder replaced; values shell-quoted when `quote` is true.
    /// A `{scope}` of a file group becomes its paths, each quoted, separated by spaces.
    package static func substitute(_ text: String, _ values: PlaceholderValues, quote: Bool) -> String {
        var result = ""
        var last = text.startIndex
        scan(text) { name, range in
            result += text[last..<range.lowerBound]
            last = range.upperBound
            let value: String
            switch name {
            case "scope":
                if quote {
                    result += Scope.paths(of: values.scope).map(ShellQuote.quote).joined(separator: " ")
                    if Scope.paths(of: values.scope).isEmpty { result += "''" }
                    return
                }
                value = Scope.paths(of: values.scope).joined(separator: " ")
            case "index": value = String(values.index)
            case "stage": value = values.stage
            case "run": value = values.run
            default: value = values.vars[String(name.dropFirst(5))] ?? ""
            }
            result += quote ? ShellQuote.quote(value) : value
        }
        result += text[last...]
        return result
    }

    /// The placeholders written inside quotes of a shell command (`echo "{scope}"`,
    /// `awk '/{vars.x}/'`), with the quote: Swell quotes each value itself, and inside quotes
    /// written by hand that quoting is undone, so a value with `$(...)` or `'` would run as shell.
    package static func quoted(in text: String) -> [(name: String, quote: Character)] {
        var found: [(String, Character)] = []
        // Open quotes and command substitutions, innermost last: `"$(basename {scope})"` is
        // not quoted, since `$(` starts afresh inside double quotes.
        var open: [Character] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            let inside = open.last
            if inside == "'", c == "'" {
                open.removeLast()
            } else if inside != "'", c == "\\" {
                i += 1
            } else if c == "\"", inside != "'" {
                if inside == "\"" { open.removeLast() } else { open.append("\"") }
            } else if c == "'", inside == nil || inside == "(" {
                open.append("'")
            } else if c == "$", inside != "'", i + 1 < chars.count, chars[i + 1] == "(" {
                open.append("(")
                i += 1
            } else if c == ")", inside == "(" {
                open.removeLast()
            } else if c == "{", let quote = inside, quote != "(", let close = chars[i...].firstIndex(of: "}") {
                let name = String(chars[(i + 1)..<close])
                if isPlaceholder(name) {
                    found.append((name, quote))
                    i = close
                }
            }
            i += 1
        }
        return found
    }

    /// Words in braces that look like a mistyped placeholder (`{scop}`, `{var.api}`), each with
    /// the placeholder it probably meant. Other text in braces (`{print $1}`, `${HOME}`) is not
    /// looked at.
    package static func likelyTypos(in text: String, vars: [String]) -> [(written: String, meant: String)] {
        var found: [(String, String)] = []
        let candidates = fixedNames.sorted() + vars.map { "vars." + $0 }
        var index = text.startIndex
        while let open = text[index...].firstIndex(of: "{") {
            guard let close = text[open...].firstIndex(of: "}") else { break }
            let name = String(text[text.index(after: open)..<close])
            index = text.index(after: open)
            let previous = open > text.startIndex ? text[text.index(before: open)] : " "
            guard previous != "$", !name.isEmpty, !isPlaceholder(name),
                  name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" }) else { continue }
            if let meant = Suggestion.closest(to: name, among: candidates) { found.append((name, meant)) }
        }
        return found
    }

    /// Calls `body` for each placeholder with its name and the range of `{name}`.
    static func scan(_ text: String, _ body: (String, Range<String.Index>) -> Void) {
        var index = text.startIndex
        while let open = text[index...].firstIndex(of: "{") {
            guard let close = text[open...].firstIndex(of: "}") else { return }
            let name = String(text[text.index(after: open)..<close])
            if isPlaceholder(name) {
                body(name, open..<text.index(after: close))
                index = text.index(after: close)
            } else {
                index = text.index(after: open)
            }
        }
    }

    static func isPlaceholder(_ name: String) -> Bool {
        if fixedNames.contains(name) { return true }
        guard name.hasPrefix("vars.") else { return false }
        let variable = name.dropFirst(5)
        return Vars.isValidName(String(variable))
    }
}
