import ArgumentParser
import SwellClient

struct PruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove the runs of a journal that ended more than a while ago.",
        discussion: """
            Removes finished runs (succeeded, failed, cancelled, budget-exhausted) that ended \
            before --older-than ago, with their reports and output files, and gives the space back. \
            Running runs are kept whatever their age. Lists the runs on stdout, one per line.
            """)

    @Option(help: ArgumentHelp("Remove runs that ended longer ago than this (`12h`, `30d`).", valueName: "duration"))
    var olderThan: AgeOption

    @Option(help: ArgumentHelp("The journal folder (default: $XDG_STATE_HOME/swell or ~/.local/state/swell).", valueName: "dir"))
    var state: String?

    @Flag(help: "List what would be removed, and remove nothing.")
    var dryRun = false

    func run() async throws {
        _ = Logs.bootstrap(nil, fallback: .warning, label: "swell")
        throw ExitCode(await PruneClient.run(stateDirectory: state ?? StateDirectory.default, olderThan: olderThan.duration,
                                             dryRun: dryRun).rawValue)
    }
}

/// An age: a duration (`12h`, `90m`) or days (`30d`).
struct AgeOption: ExpressibleByArgument, Sendable {
    var duration: Duration

    init?(argument: String) {
        if argument.hasSuffix("d"), let days = Double(argument.dropLast()), days > 0, days < 100_000,
           argument.dropLast().allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) {
            duration = .seconds(days * 86_400)
        } else if let option = DurationOption(argument: argument) {
            duration = option.duration
        } else {
            return nil
        }
    }
}
