import ArgumentParser
import SwellClient

struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Show the reports of a run, in stage and scope order.",
        discussion: """
            Reads the local journal (--state) by default, which holds the runs of the embedded \
            default; with --coordinator, asks that coordinator.
            """)

    @Argument(help: "The run id.")
    var run: String

    @Option(help: "Only this stage.")
    var stage: String?

    @Option(help: "Only this scope (or a file of a file group).")
    var scope: String?

    @Flag(help: "Print JSON.")
    var json = false

    @Option(help: ArgumentHelp("Ask this coordinator instead of reading the local journal.", valueName: "endpoint"), transform: EndpointOption.connecting)
    var coordinator: String?

    @Option(help: ArgumentHelp("The journal folder to read (default: $XDG_STATE_HOME/swell or ~/.local/state/swell).", valueName: "dir"))
    var state: String?

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        _ = Logs.bootstrap(nil, fallback: .warning, label: "swell")
        throw ExitCode(await LogsClient.run(LogsClient.Query(
            run: run, stage: stage, scope: scope, json: json, coordinator: coordinator,
            curve: coordinator == nil ? nil : try connection.curve(), timeout: connection.connectTimeout.duration,
            stateDirectory: state ?? StateDirectory.default)).rawValue)
    }
}
