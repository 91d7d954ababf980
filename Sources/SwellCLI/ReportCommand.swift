import ArgumentParser
import SwellClient

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a run's HTML report: figures, stages by wave, a timeline of every attempt, failures.",
        discussion: """
            One self-contained HTML file (no network, no script): open it in any browser. Reads \
            the local journal (--state) by default, which holds the runs of the embedded default; \
            with --coordinator, asks that coordinator. Works on a running run too: it shows what \
            has finished so far.
            """)

    @Argument(help: "The run id.")
    var run: String

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write here (default: swell-report-RUN.html; - for stdout).", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Ask this coordinator instead of reading the local journal.", valueName: "endpoint"), transform: EndpointOption.connecting)
    var coordinator: String?

    @Option(help: ArgumentHelp("The journal folder to read (default: $XDG_STATE_HOME/swell or ~/.local/state/swell).", valueName: "dir"))
    var state: String?

    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        if state != nil, coordinator != nil {
            throw ValidationError("--state reads a journal and --coordinator asks a coordinator: give one")
        }
        if output == "" { throw ValidationError("-o needs a file name (or - for stdout)") }
    }

    func run() async throws {
        _ = Logs.bootstrap(nil, fallback: .warning, label: "swell")
        throw ExitCode(await ReportClient.run(ReportClient.Query(
            run: run, output: output, coordinator: coordinator,
            curve: coordinator == nil ? nil : try connection.curve(), timeout: connection.connectTimeout.duration,
            stateDirectory: state ?? StateDirectory.default)).rawValue)
    }
}
