import ArgumentParser
import SwellClient
import SwellCore
import SwellNode
import SwellProtocol

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a plan: embedded on this machine, or on a coordinator.",
        discussion: """
            Without --coordinator, a coordinator and one node run inside this process (the embedded \
            default); tasks run in the plan file's folder. On a coordinator, each node's --workdir \
            stands for the root of the checkout that holds the plan (or --root), and tasks run in the \
            plan's folder below it. Sink stage outputs go to stdout in plan \
            order; progress and diagnostics go to stderr.

            Exit status: 0 all succeeded; 1 failed tasks, cancelled, or budget exhausted; 2 invalid plan or usage; \
            3 cannot reach the coordinator; 130 interrupted.
            """)

    @Argument(help: "The plan file (YAML).")
    var plan: String

    @Option(help: ArgumentHelp("Run on this coordinator instead of the embedded default.", valueName: "endpoint"), transform: EndpointOption.connecting)
    var coordinator: String?

    @Option(help: "Tasks the embedded node runs at once (default 10).")
    var slots: Int?

    @Option(help: ArgumentHelp("The embedded coordinator's journal folder (default: $XDG_STATE_HOME/swell or ~/.local/state/swell).", valueName: "dir"))
    var state: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a plan var.", valueName: "name=value"))
    var overrides: [VarOverride] = []

    @Flag(help: "Print one JSON object (run id, status, per-stage counts, sink outputs) instead of the outputs.")
    var json = false

    @Option(help: ArgumentHelp("Write GNU parallel's joblog format to this file.", valueName: "file"))
    var joblog: String?

    @Option(help: "Log level of the embedded coordinator and node (default: warning, or $SWELL_LOG_LEVEL).")
    var logLevel: LogLevelOption?

    @Option(help: ArgumentHelp("The folder each node's --workdir stands for; tasks run in the plan's folder below it (default: the top of the git checkout that holds the plan, else the plan's folder).", valueName: "dir"))
    var root: String?

    @Option(help: ArgumentHelp("What the run may spend, over the plan's `budget`: cost (read from reports by the stages' `cost`) and/or task-seconds.", valueName: "cost=N,task-seconds=N"))
    var budget: BudgetOption?

    @Option(name: .customLong("continue"), help: ArgumentHelp("Go on with this finished run of the same plan (its budget spent, or cancelled): no task that finished runs again.", valueName: "run"))
    var continueRun: String?

    @Option(help: ArgumentHelp("Run the tasks of this finished run of the same plan that failed, and what reads their output, again; the rest is kept.", valueName: "run"))
    var retryFailed: String?

    @Option(help: ArgumentHelp("How progress shows on stderr: tty (a block of one line per running stage, redrawn), plain (lines), none (only what went wrong). Default: tty on a terminal, else plain.", valueName: "tty|plain|none"))
    var progress: ProgressReporter.Mode?

    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        if let slots, !(1...10_000).contains(slots) { throw ValidationError("--slots must be from 1 to 10000") }
        if coordinator != nil, slots != nil {
            throw ValidationError("--slots is for the embedded default; on a coordinator, each node's --slots says how many tasks it runs")
        }
        if coordinator == nil, let problem = OpenFileBudget.problem(slots: slots ?? 10, given: slots != nil) { throw ValidationError(problem) }
        if coordinator != nil, state != nil {
            throw ValidationError("--state is for the embedded default; a coordinator keeps its own journal")
        }
        if continueRun?.isEmpty == true || retryFailed?.isEmpty == true {
            throw ValidationError("--continue and --retry-failed take a run id, as swell status and swell run print it")
        }
        if continueRun != nil, retryFailed != nil {
            throw ValidationError("--continue and --retry-failed take up a run each: give one")
        }
        if let name = VarOverride.notUTF8(overrides, arguments: VarOverride.rawArguments).first {
            throw ValidationError("--set \(name)=...: the value is not UTF-8 text; a plan's vars are text (give the bytes as a file the command reads instead)")
        }
        if let coordinator, !coordinator.hasPrefix("tcp://") {
            throw ValidationError("--coordinator takes an endpoint such as tcp://HOST:7710")
        }
    }

    func run() async throws {
        let logger = Logs.bootstrap(logLevel, fallback: .warning, label: "swell")
        let curve = coordinator == nil ? nil : try connection.curve()
        if coordinator == nil {
            Orphans.adopt { problem in logger.warning("tasks that leave their process group may outlive them: \(problem)") }
        }
        let exit = await PlanRunner.run(RunOptions(
            planPath: plan, coordinator: coordinator, slots: slots ?? 10, stateDirectory: state ?? StateDirectory.default,
            overrides: overrides, json: json, joblog: joblog, progress: progress ?? ProgressReporter.automatic,
            connectTimeout: connection.connectTimeout.duration, curve: curve, root: root, budget: budget?.budget,
            resume: (continueRun ?? retryFailed).map { Submit.Resume(run: $0, failed: retryFailed != nil) }),
            logger: logger)
        if coordinator == nil { await Orphans.settle() }
        throw ExitCode(exit.rawValue)
    }
}

extension ProgressReporter.Mode: ExpressibleByArgument {}
