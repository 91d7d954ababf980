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
    var olderThan: DurationOption

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
