import ArgumentParser
import SwellClient

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a coordinator's nodes (slots, running tasks, last heartbeat) and runs.")

    @Option(help: ArgumentHelp("The coordinator.", valueName: "endpoint"), transform: EndpointOption.connecting)
    var coordinator = "tcp://127.0.0.1:7710"

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        _ = Logs.bootstrap(nil, fallback: .warning, label: "swell")
        throw ExitCode(await StatusClient.run(endpoint: coordinator, curve: try connection.curve(), json: json,
                                              timeout: connection.connectTimeout.duration).rawValue)
    }
}
