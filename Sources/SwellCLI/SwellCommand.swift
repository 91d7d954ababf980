public import ArgumentParser
import Foundation
import SwellClient
import SwellPlan
import SwellProtocol

/// `swell`: run and inspect plans.
public struct SwellCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "swell",
        abstract: "Run wave-based parallel plans on this machine or across a cluster.",
        version: SwellVersion.current,
        subcommands: [RunCommand.self, ValidateCommand.self, StatusCommand.self, LogsCommand.self, CancelCommand.self])

    public init() {}
}

/// `NAME=VALUE` for `--set`.
struct VarAssignment: ExpressibleByArgument {
    var name: String
    var value: String

    init?(argument: String) {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else { return nil }
        name = String(argument[..<equals])
        value = String(argument[argument.index(after: equals)...])
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a plan: embedded on this machine, or on a coordinator.",
        discussion: """
            Without --coordinator, a coordinator and one node run inside this process (the embedded \
            default); tasks run in the plan file's folder. Sink stage outputs go to stdout in plan \
            order; progress and diagnostics go to stderr.

            Exit status: 0 all succeeded; 1 failed tasks or cancelled; 2 invalid plan or usage; \
            3 cannot reach the coordinator; 130 interrupted.
            """)

    @Argument(help: "The plan file (YAML).")
    var plan: String

    @Option(help: ArgumentHelp("Run on this coordinator instead of the embedded default.", valueName: "endpoint"))
    var coordinator: String?

    @Option(help: "Tasks the embedded node runs at once.")
    var slots: Int = 10

    @Option(help: ArgumentHelp("The embedded coordinator's journal folder (default: $XDG_STATE_HOME/swell or ~/.local/state/swell).", valueName: "dir"))
    var state: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a plan var.", valueName: "name=value"))
    var overrides: [VarAssignment] = []

    @Flag(help: "Print one JSON object (run id, status, per-stage counts, sink outputs) instead of the outputs.")
    var json = false

    @Option(help: ArgumentHelp("Write GNU parallel's joblog format to this file.", valueName: "file"))
    var joblog: String?

    @Option(help: "Log level of the embedded coordinator and node (default: warning, or $SWELL_LOG_LEVEL).")
    var logLevel: LogLevelOption?

    func validate() throws {
        guard (1...10_000).contains(slots) else { throw ValidationError("--slots must be from 1 to 10000") }
        if coordinator != nil, state != nil {
            throw ValidationError("--state is for the embedded default; a coordinator keeps its own journal")
        }
        if let coordinator, !coordinator.hasPrefix("tcp://") {
            throw ValidationError("--coordinator takes an endpoint such as tcp://HOST:7710")
        }
    }

    func run() async throws {
        let logger = Logs.bootstrap(logLevel, fallback: .warning, label: "swell")
        let exit = await PlanRunner.run(RunOptions(
            planPath: plan, coordinator: coordinator, slots: slots, stateDirectory: state ?? StateDirectory.default,
            overrides: overrides.map { VarOverride(name: $0.name, value: $0.value) }, json: json, joblog: joblog),
            logger: logger)
        throw ExitCode(exit.rawValue)
    }
}

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a plan and print its stage waves and task counts.")

    @Argument(help: "The plan file (YAML).")
    var plan: String

    func run() throws {
        do {
            let parsed = try PlanParser.load(path: plan)
            let base = URL(fileURLWithPath: plan).standardizedFileURL.deletingLastPathComponent().path
            let scopes = try PartitionResolver.staticScopes(of: parsed, baseDirectory: base)
            print(PlanSummary.render(parsed, scopes: scopes), terminator: "")
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(2)
        }
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a coordinator's nodes (slots, running tasks, last heartbeat) and runs.")

    @Option(help: ArgumentHelp("The coordinator.", valueName: "endpoint"))
    var coordinator = "tcp://127.0.0.1:7710"

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        _ = Logs.bootstrap(nil, fallback: .warning, label: "swell")
        throw ExitCode(await StatusClient.run(endpoint: coordinator, json: json).rawValue)
    }
}

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

    @Option(help: ArgumentHelp("Ask this coordinator instead of reading the local journal.", valueName: "endpoint"))
    var coordinator: String?

    @Option(help: ArgumentHelp("The journal folder to read (default: $XDG_STATE_HOME/swell or ~/.local/state/swell).", valueName: "dir"))
    var state: String?

    func run() async throws {
        _ = Logs.bootstrap(nil, fallback: .warning, label: "swell")
        throw ExitCode(await LogsClient.run(LogsClient.Query(
            run: run, stage: stage, scope: scope, json: json, coordinator: coordinator,
            stateDirectory: state ?? StateDirectory.default)).rawValue)
    }
}

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

    @Option(help: ArgumentHelp("The coordinator.", valueName: "endpoint"))
    var coordinator = "tcp://127.0.0.1:7710"

    func run() async throws {
        _ = Logs.bootstrap(nil, fallback: .warning, label: "swell")
        throw ExitCode(await CancelClient.run(run, endpoint: coordinator).rawValue)
    }
}
