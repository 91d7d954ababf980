/// A command of a plan: a string runs under `/bin/sh -c`, a list runs as argv without a shell.
package enum Command: Sendable, Hashable, Codable {
    case shell(String)
    case argv([String])

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .shell(text)
        } else {
            self = .argv(try container.decode([String].self))
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .shell(let text): try container.encode(text)
        case .argv(let words): try container.encode(words)
        }
    }

    /// The command with every placeholder replaced: shell-quoted in a string, verbatim in argv.
    /// In argv, an element that is exactly `{scope}` becomes one argument per path of a file group.
    package func substituted(_ values: PlaceholderValues) -> Command {
        switch self {
        case .shell(let text):
            return .shell(Placeholders.substitute(text, values, quote: true))
        case .argv(let words):
            var out: [String] = []
            for word in words {
                if word == "{scope}" {
                    out.append(contentsOf: Scope.paths(of: values.scope))
                } else {
                    out.append(Placeholders.substitute(word, values, quote: false))
                }
            }
            return .argv(out)
        }
    }

    /// The program and arguments that run a string command unless a plan says otherwise.
    package static let defaultShell = ["/bin/sh", "-c"]

    /// The argv to execute: `shell` followed by the text (`/bin/sh -c text`), or the list itself.
    package func argv(shell: [String]? = nil) -> [String] {
        switch self {
        case .shell(let text): return (shell ?? Self.defaultShell) + [text]
        case .argv(let words): return words
        }
    }

    /// How the command reads in logs and the joblog.
    package var display: String {
        switch self {
        case .shell(let text): return text
        case .argv(let words): return words.map(ShellQuote.quote).joined(separator: " ")
        }
    }

    /// Every placeholder written in the command, for validation.
    package var placeholders: [String] {
        switch self {
        case .shell(let text): return Placeholders.names(in: text)
        case .argv(let words): return words.flatMap(Placeholders.names(in:))
        }
    }
}
