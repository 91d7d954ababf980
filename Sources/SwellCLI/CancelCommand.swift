import ArgumentParser
import SwellClient

struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a run: stop every task of it on every node.",
        discussion: """
            Returns once every node has confirmed that the run's processes have exited (or after \
            5 s without an answer from a node). A `swell run` waiting for the run exits 1.

            Exit status: 0 cancelled; 1 the run had already finished; 2 no such run; 3 cannot \
            reach the coordinator.
            """)

    @Argument(help: "The run id.")
    var run: String

    @Option(help: ArgumentHelp("The coordinator.", valueName: "endpoint"), transform: EndpointOption.connecting)
    var coordinator = "tcp://127.0.0.1:7710"

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        _ = Logs.bootstrap(nil, fallback: .warning, label: "swell")
        throw ExitCode(await CancelClient.run(run, endpoint: coordinator, curve: try connection.curve(),
                                              timeout: connection.connectTimeout.duration).rawValue)
    }
}
