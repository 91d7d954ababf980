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

    /// The command to run if it is allowed, or why it is refused. `shell` is what runs a string
    /// command (the plan's `shell`; nil: `/bin/sh -c`).
    package func check(_ command: Command, shell: [String]? = nil) -> Result<Command, Refusal> {
        switch command {
        case .argv(let words):
            guard let program = words.first else { return .failure(Refusal(reason: "the command is empty")) }
            return allows(program) ? .success(command) : .failure(refusal(program))
        case .shell(let text):
            if let words = ShellWords.simple(text), let program = words.first {
                return allows(program) ? .success(.argv(words)) : .failure(refusal(program))
            }
            let program = (shell ?? Command.defaultShell)[0]
            // The default shell is allowed by its name, as `--allow sh`.
            if allows(shell == nil ? "sh" : program) { return .success(command) }
            let name = shell == nil ? "sh" : program
            return .failure(Refusal(reason:
                "the command uses shell syntax (pipes, redirections, $, ;, globs...), which this node runs only with --allow \(name) (it allows: \(listing))"))
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
