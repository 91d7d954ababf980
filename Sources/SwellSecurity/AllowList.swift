import Foundation
package import SwellCore

/// What a node lets tasks run: `--allow PATTERN`, a program name or a glob.
///
/// A pattern without `/` admits programs named without a path (found through PATH) whose name
/// matches; a pattern with `/` admits programs given by a path that matches. A string command is
/// checked as a simple command (words, quotes, no shell syntax) and then run without a shell;
/// one that uses shell syntax runs only if `sh` itself is allowed.
package struct AllowList: Sendable {
    package let patterns: [String]

    package init(_ patterns: [String]) { self.patterns = patterns }

    /// The command to run if it is allowed, or why it is refused.
    package func check(_ command: Command) -> Result<Command, Refusal> {
        switch command {
        case .argv(let words):
            guard let program = words.first else { return .failure(Refusal(reason: "the command is empty")) }
            return allows(program) ? .success(command) : .failure(refusal(program))
        case .shell(let text):
            if let words = ShellWords.simple(text), let program = words.first {
                return allows(program) ? .success(.argv(words)) : .failure(refusal(program))
            }
            if allows("sh") { return .success(command) }
            return .failure(Refusal(reason:
                "the command uses shell syntax (pipes, redirections, $, ;, globs...), which this node runs only with --allow sh (it allows: \(listing))"))
        }
    }

    package struct Refusal: Error, Sendable, Equatable {
        package var reason: String
    }

    func allows(_ program: String) -> Bool {
        patterns.contains { pattern in
            pattern.contains("/") == program.contains("/") && Self.matches(pattern, program)
        }
    }

    private var listing: String { patterns.joined(separator: ", ") }

    private func refusal(_ program: String) -> Refusal {
        Refusal(reason: "'\(program)' is not allowed on this node (it allows: \(listing))")
    }

    /// fnmatch(3) without flags: `*`, `?` and `[...]`.
    static func matches(_ pattern: String, _ text: String) -> Bool {
        fnmatch(pattern, text, 0) == 0
    }
}

/// The words of a shell command line that is a simple command: plain words, single and double
/// quotes, backslash escapes, and nothing else the shell would interpret.
package enum ShellWords {
    /// The words after quote removal, or nil when the line uses shell syntax (`| & ; < > ( ) $ \``
    /// globs, `~` at a word's start, `#` comments, newlines) or starts with `NAME=value`.
    package static func simple(_ line: String) -> [String]? {
        var words: [String] = []
        var word = ""
        var inWord = false
        var chars = Array(line.unicodeScalars)[...]
        while let c = chars.popFirst() {
            switch c {
            case " ", "\t":
                if inWord { words.append(word); word = ""; inWord = false }
            case "'":
                inWord = true
                guard let close = chars.firstIndex(of: "'") else { return nil }
                word.unicodeScalars.append(contentsOf: chars[chars.startIndex..<close])
                chars = chars[chars.index(after: close)...]
            case "\"":
                inWord = true
                while true {
                    guard let d = chars.popFirst() else { return nil }
                    if d == "\"" { break }
                    if d == "$" || d == "`" { return nil }
                    if d == "\\" {
                        guard let e = chars.popFirst() else { return nil }
                        if !["\"", "\\", "$", "`"].contains(e) { word.unicodeScalars.append("\\") }
                        word.unicodeScalars.append(e)
                    } else {
                        word.unicodeScalars.append(d)
                    }
                }
            case "\\":
                inWord = true
                guard let e = chars.popFirst(), e != "\n" else { return nil }
                word.unicodeScalars.append(e)
            case "|", "&", ";", "<", ">", "(", ")", "$", "`", "*", "?", "[", "]", "\n", "\r", "{", "}":
                return nil
            case "#", "~":
                if !inWord { return nil }
                word.unicodeScalars.append(c)
            case "=":
                if words.isEmpty && !word.isEmpty && !word.contains("/") { return nil }
                inWord = true
                word.unicodeScalars.append(c)
            default:
                inWord = true
                word.unicodeScalars.append(c)
            }
        }
        if inWord { words.append(word) }
        return words.isEmpty ? nil : words
    }
}

/// `--workdir` confinement: scopes must be paths inside the working directory.
package enum WorkdirConfinement {
    /// Why a scope points outside the working directory, or nil.
    package static func problem(scope: String) -> String? {
        for path in Scope.paths(of: scope) {
            if path.hasPrefix("/") { return "scope '\(path)' is an absolute path, outside this node's --workdir" }
            var depth = 0
            for component in path.split(separator: "/") {
                if component == ".." { depth -= 1 } else if component != "." { depth += 1 }
                if depth < 0 { return "scope '\(path)' climbs out of this node's --workdir" }
            }
        }
        return nil
    }
}
