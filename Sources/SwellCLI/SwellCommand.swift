package import ArgumentParser
import Foundation
import SwellCore
import SwellClient
import SwellPlan
import SwellProtocol
import SwellSecurity
import SwellZMQ

/// `--key` and `--coordinator-key` of the client commands, for a coordinator that admits by key.
struct ClientKeyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("This client's secret key (from swell keygen); default: $SWELL_KEY.", valueName: "file"))
    var key: String?

    @Option(help: ArgumentHelp("The coordinator's public key, 40 Z85 characters or its .pub file; default: $SWELL_COORDINATOR_KEY.", valueName: "key"))
    var coordinatorKey: String?

    /// The CURVE settings, or nil without keys. Throws `ExitCode(2)` with a message on a bad key.
    func curve() throws -> ZMQSocketConfiguration.Curve? {
        let environment = ProcessInfo.processInfo.environment
        let key = self.key ?? environment["SWELL_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        let coordinatorKey = self.coordinatorKey ?? environment["SWELL_COORDINATOR_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        guard key != nil || coordinatorKey != nil else { return nil }
        do {
            guard let key, let coordinatorKey else {
                throw KeyError("--key and --coordinator-key go together: this client's secret key, and the coordinator's public key")
            }
            return try KeyFiles.connectingCurve(secretKeyFile: key, coordinatorKey: coordinatorKey)
        } catch {
            FileHandle.standardError.write(Data("swell: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// `swell`: run and inspect plans.
package struct SwellCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "swell",
        abstract: "Run wave-based parallel plans on this machine or across a cluster.",
        version: SwellVersion.current,
        subcommands: [RunCommand.self, ValidateCommand.self, StatusCommand.self, LogsCommand.self, CancelCommand.self,
                      KeygenCommand.self])

    package init() {}
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

    @OptionGroup var keys: ClientKeyOptions

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
        let curve = coordinator == nil ? nil : try keys.curve()
        let exit = await PlanRunner.run(RunOptions(
            planPath: plan, coordinator: coordinator, slots: slots, stateDirectory: state ?? StateDirectory.default,
            overrides: overrides.map { VarOverride(name: $0.name, value: $0.value) }, json: json, joblog: joblog,
            curve: curve),
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

    @OptionGroup var keys: ClientKeyOptions

    func run() async throws {
        _ = Logs.bootstrap(nil, fallback: .warning, label: "swell")
        throw ExitCode(await StatusClient.run(endpoint: coordinator, curve: try keys.curve(), json: json).rawValue)
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

    @OptionGroup var keys: ClientKeyOptions

    func run() async throws {
        _ = Logs.bootstrap(nil, fallback: .warning, label: "swell")
        throw ExitCode(await LogsClient.run(LogsClient.Query(
            run: run, stage: stage, scope: scope, json: json, coordinator: coordinator,
            curve: coordinator == nil ? nil : try keys.curve(), stateDirectory: state ?? StateDirectory.default)).rawValue)
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

    @OptionGroup var keys: ClientKeyOptions

    func run() async throws {
        _ = Logs.bootstrap(nil, fallback: .warning, label: "swell")
        throw ExitCode(await CancelClient.run(run, endpoint: coordinator, curve: try keys.curve()).rawValue)
    }
}

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make a CURVE key pair: NAME.key (secret, mode 0600) and NAME.pub.",
        discussion: """
            Prints the public key on stdout. Give the coordinator its .key with --key; list each \
            node's and client's public key in the coordinator's --authorized file; give nodes and \
            clients their own .key with --key and the coordinator's .pub with --coordinator-key.
            """)

    @Argument(help: "The name (and folder) of the pair: NAME.key and NAME.pub.")
    var name: String

    @Flag(help: "Replace an existing NAME.key.")
    var force = false

    func run() throws {
        do {
            let written = try KeyFiles.generate(name: name, force: force)
            print(written.publicKey)
            FileHandle.standardError.write(Data("""
                swell: wrote \(written.keyFile) (secret, mode 0600: keep it private) and \(written.publicFile)
                swell: to admit it, add a line to the coordinator's --authorized file: node|client NAME \(written.publicKey)

                """.utf8))
        } catch {
            FileHandle.standardError.write(Data("swell: \(error)\n".utf8))
            throw ExitCode(error is KeyError ? 2 : 1)
        }
    }
}
