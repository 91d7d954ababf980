import CMalloc
package import ArgumentParser
import Foundation
import SwellClient
import SwellCore
import Logging

/// Runs a command tree with Swell's exit statuses: usage errors exit 2 (not 64), help exits 0.
package enum CommandMain {
    package static func run(_ root: any ParsableCommand.Type, arguments: [String]? = nil) async -> Never {
        signal(SIGPIPE, SIG_IGN)
        // Over a file size limit (`ulimit -f`) a write fails with EFBIG and is reported, as on a
        // full disk, instead of the signal ending the process mid-write.
        signal(SIGXFSZ, SIG_IGN)
        limitMallocArenas()
        raiseOpenFileLimit()
        do {
            var command = try root.parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
            exit(0)
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            let code = root.exitCode(for: error)
            let message = root.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                exit(0)
            }
            let hint = subcommandHint(root, arguments ?? Array(CommandLine.arguments.dropFirst())) ?? ""
            if !message.isEmpty { StandardStreams.err(message + hint + "\n") }
            exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

extension CommandMain {
    /// For `swell stauts`: the subcommand the first argument probably meant.
    static func subcommandHint(_ root: any ParsableCommand.Type, _ arguments: [String]) -> String? {
        let names = root.configuration.subcommands.compactMap { $0.configuration.commandName }
        guard let first = arguments.first, !first.hasPrefix("-"), !names.isEmpty, !names.contains(first),
              let best = Suggestion.closest(to: first, among: names) else { return nil }
        return "\n(did you mean '\(root.configuration.commandName ?? "swell") \(best)'?)"
    }

    /// Two malloc arenas, unless `MALLOC_ARENA_MAX` says otherwise. With glibc's default (8 per
    /// core) the memory that Swift's many short-lived task allocations free is spread over many
    /// arenas and not given back: a node or an embedded run grew by about 300 bytes per task
    /// (46 MB to 69 MB over 80,000 tasks), against about 50 with two arenas.
    static func limitMallocArenas() {
        // getenv, not ProcessInfo: this runs before anything else and need not copy the environment.
        guard getenv("MALLOC_ARENA_MAX") == nil else { return }
        _ = mallopt(M_ARENA_MAX, 2)
    }

    /// The soft limit on open files raised to the hard one (at most 2^20). Each running task
    /// holds three or four descriptors (its output pipes, a pidfd, its stdin), so a node with a
    /// few hundred slots would run out at the usual soft limit of 1,024 while the hard limit
    /// (524,288 under systemd) allows far more. Tasks inherit the raised limit.
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let wanted = min(limit.rlim_max, 1 << 20)
        guard limit.rlim_cur < wanted else { return }
        limit.rlim_cur = wanted
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
