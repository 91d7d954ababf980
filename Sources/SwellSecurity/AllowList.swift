import Foundation
package import SwellCore

/// What a node lets tasks run: `--allow PATTERN`, a program name or a glob.
///
/// A pattern without `/` admits programs named without a path whose name matches; a pattern
/// with `/` admits programs whose path matches: one given by a path, or one named without a
/// path as it is found through the node's own PATH. A path with a `..` part is refused.
/// A string command is checked as a simple command (words, quotes, no shell syntax) and then run
/// without a shell; one that joins simple commands with `|`, `||`, `&&`, `;` or newlines runs
/// under the shell when every one of them is allowed; any other shell syntax runs only if `sh`
/// (or the plan's `shell`) itself is allowed.
package struct AllowList: Sendable {
    package let patterns: [String]
    let searchPath: [String]

    package init(_ patterns: [String], searchPath: [String] = ProgramSearch.searchPath) {
        self.patterns = patterns
        self.searchPath = searchPath
    }

    /// The command to run if it is allowed, or why it is refused. `shell` is what runs a string
    /// command (the plan's `shell`; nil: `/bin/sh -c`).
    package func check(_ command: Command, shell: [String]? = nil) -> Result<Command, Refusal> {
        switch command {
        case .argv(let words):
            guard let program = words.first else { return .failure(Refusal(reason: "the command is empty")) }
            return refusal(program).map { .failure($0) } ?? .success(command)
        case .shell(let text):
            // The default shell is allowed by its name, as `--allow sh`, and a plan's shell as
            // written (`bash`, not `/usr/bin/*`): an allowed shell runs anything.
            let shellName = shell.map { $0[0] } ?? "sh"
            let shellAllowed = !shellName.split(separator: "/").contains("..") && patterns.contains {
                $0.contains("/") == shellName.contains("/") && Self.matches($0, shellName)
            }
            if let words = ShellWords.simple(text), let program = words.first {
                if let refused = refusal(program) { return shellAllowed ? .success(command) : .failure(refused) }
                return .success(.argv(words))
            }
            if shellAllowed { return .success(command) }
            if let commands = ShellWords.commandList(text) {
                // The shell only joins the commands: each must be allowed, and a plan's own shell
                // too, unless it is a POSIX shell with options that change no more than how
                // failures count (`[bash, -o, pipefail, -c]`).
                for words in commands { if let refused = refusal(words[0]) { return .failure(refused) } }
                if let shell, !Self.isGlue(shell), let refused = refusal(shellName, what: "the plan's shell") { return .failure(refused) }
                return .success(command)
            }
            return .failure(Refusal(reason:
                "the command uses shell syntax beyond simple commands joined by |, ||, && and ; (redirections, $, globs, subshells...), which this node runs only with --allow \(shellName) (it allows: \(listing))"))
        }
    }

    /// A plan's shell that runs a list of simple commands as `/bin/sh -c` does: `sh`, `dash` or
    /// `bash` (by name, or in /bin or /usr/bin), with no arguments but `-e`, `-u` and
    /// `-o pipefail` (and the like) before the final `-c`. Not `-x`: xtrace expands PS4.
    static func isGlue(_ shell: [String]) -> Bool {
        guard shell.count >= 2, shell.last == "-c", let program = shell.first else { return false }
        let shells = ["sh", "dash", "bash"]
        let named = shells.contains(program) || shells.contains { ["/bin/" + $0, "/usr/bin/" + $0].contains(program) }
        guard named else { return false }
        let options: Set<String> = ["pipefail", "errexit", "nounset"]
        return shell.dropFirst().dropLast().allSatisfy { option in
            options.contains(option) || (option.count >= 2 && option.hasPrefix("-") && option.dropFirst().allSatisfy { "euo".contains($0) })
        }
    }

    /// Plan `env` variables that change which programs run or what they load (`PATH`, `LD_*`,
    /// a shell's start-up files and exported functions, interpreters' module paths), which a
    /// node with `--allow` does not take from a plan: the first one `env` sets, or nil.
    package static func runChangingVariable(in env: [String: String]) -> String? {
        env.keys.sorted().first { name in
            runChangingNames.contains(name) || runChangingPrefixes.contains { name.hasPrefix($0) }
        }
    }

    static let runChangingNames: Set<String> = [
        "PATH", "BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS", "IFS", "CDPATH", "GCONV_PATH", "HOSTALIASES",
        // Prompts a shell expands, command substitutions included (PS4 with -x).
        "PS1", "PS2", "PS3", "PS4", "PROMPT_COMMAND", "BASH_XTRACEFD", "EXECIGNORE",
        "NODE_OPTIONS", "NODE_PATH", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PERL5OPT", "PERL5LIB", "PERLLIB",
        "RUBYOPT", "RUBYLIB", "GIT_EXEC_PATH", "GIT_CONFIG_GLOBAL", "GIT_SSH_COMMAND",
    ]
    static let runChangingPrefixes = ["LD_", "BASH_FUNC_", "GIT_CONFIG_"]

    package struct Refusal: Error, Sendable, Equatable {
        package var reason: String
    }

    func allows(_ program: String) -> Bool {
        if program.contains("/") {
            return patterns.contains { $0.contains("/") && Self.matches($0, program) }
        }
        if patterns.contains(where: { !$0.contains("/") && Self.matches($0, program) }) { return true }
        // A path pattern admits the program the name stands for on this node.
        guard patterns.contains(where: { $0.contains("/") }), let path = ProgramSearch.resolve(program, in: searchPath) else {
            return false
        }
        return patterns.contains { $0.contains("/") && Self.matches($0, path) }
    }

    private var listing: String { patterns.joined(separator: ", ") }

    /// Why `program` may not run here, or nil.
    private func refusal(_ program: String, what: String? = nil) -> Refusal? {
        if program.split(separator: "/").contains("..") {
            return Refusal(reason: "'\(program)' names its folder with '..', which a node with --allow does not run: give the program's own path")
        }
        if allows(program) { return nil }
        return Refusal(reason: "\(what.map { "\($0) " } ?? "")'\(program)' is not allowed on this node (it allows: \(listing))")
    }

    /// fnmatch(3) without flags: `*`, `?` and `[...]`.
    static func matches(_ pattern: String, _ text: String) -> Bool {
        fnmatch(pattern, text, 0) == 0
    }
}
