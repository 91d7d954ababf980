import ArgumentParser
import SwellClient

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a coordinator's nodes (slots, running tasks, last heartbeat) and runs, or the runs of a journal.",
        discussion: """
            With --state, reads that journal instead of asking a coordinator: the embedded \
            default's runs (swell run keeps them in $XDG_STATE_HOME/swell or ~/.local/state/swell), \
            or a stopped coordinator's.
            """)

    @Option(help: ArgumentHelp("The coordinator (default tcp://127.0.0.1:7710).", valueName: "endpoint"), transform: EndpointOption.connecting)
    var coordinator: String?

    @Option(help: ArgumentHelp("List the runs of this journal folder instead of asking a coordinator.", valueName: "dir"))
    var state: String?

    @Option(help: "The most runs to list, newest first (with --state).")
    var runs = 50

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        if state != nil, coordinator != nil {
            throw ValidationError("--state reads a journal and --coordinator asks a coordinator: give one")
        }
        if runs < 1 { throw ValidationError("--runs must be 1 or more") }
    }

    func run() async throws {
        _ = Logs.bootstrap(nil, fallback: .warning, label: "swell")
        if let state {
            throw ExitCode(await StatusClient.local(stateDirectory: state, json: json, limit: runs).rawValue)
        }
        throw ExitCode(await StatusClient.run(endpoint: coordinator ?? "tcp://127.0.0.1:7710", curve: try connection.curve(),
                                              json: json, timeout: connection.connectTimeout.duration).rawValue)
    }
}
