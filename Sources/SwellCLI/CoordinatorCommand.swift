package import ArgumentParser
import Foundation
import Logging
import SwellClient
import SwellCoordinator
import SwellProtocol
import SwellSecurity

/// `swell-coordinator`: accepts plans and nodes, schedules, journals.
package struct CoordinatorCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "swell-coordinator",
        abstract: "Accept plans and worker nodes; schedule stage waves and shares; journal runs.",
        discussion: "Stops gracefully on SIGTERM or SIGINT.",
        version: SwellVersion.current)

    @Option(help: ArgumentHelp("Where nodes and clients connect (port 0 picks a free port).", valueName: "endpoint"), transform: EndpointOption.listening)
    var listen = "tcp://127.0.0.1:7710"

    @Option(help: ArgumentHelp("The journal folder (default: $XDG_STATE_HOME/swell or ~/.local/state/swell).", valueName: "dir"))
    var state: String?

    @Option(help: ArgumentHelp("This coordinator's secret key (from swell keygen): admit peers by CURVE key only.", valueName: "file"))
    var key: String?

    @Option(help: ArgumentHelp("The keys admitted, one `ROLE NAME PUBLIC-KEY` per line (role: node or client).", valueName: "file"))
    var authorized: String?

    @Flag(help: "Listen beyond loopback without keys: anyone who reaches the port can run commands on every node.")
    var insecure = false

    @Option(help: ArgumentHelp("How often the coordinator and its nodes say they are alive \(DurationOption.unitHelp)", valueName: "duration"))
    var heartbeatInterval = DurationOption(.milliseconds(500))

    @Option(help: ArgumentHelp("Missed heartbeat intervals after which a node is suspect (gets no new work).", valueName: "n"))
    var suspectAfter = 3

    @Option(help: ArgumentHelp("How much longer a suspect node has before it is down and its work goes elsewhere \(DurationOption.unitHelp)", valueName: "duration"))
    var downGrace = DurationOption(.milliseconds(1_500))

    @Option(help: ArgumentHelp("After a restart, how long work in flight waits for its node to come back before it runs elsewhere \(DurationOption.unitHelp)", valueName: "duration"))
    var resumeGrace = DurationOption(.seconds(10))

    @Option(help: ArgumentHelp("How long a stage waits for a node with its labels, when no live node has them, before it fails \(DurationOption.unitHelp)", valueName: "duration"))
    var labelWait = DurationOption(.seconds(600))

    @Option(help: ArgumentHelp(
        "A named limit shared by every run on this coordinator, for stages that `uses` it: at most N tasks at once and/or M starts a minute (repeatable).",
        valueName: "name=N[,M/min]"))
    var limit: [LimitOption] = []

    @Option(help: ArgumentHelp("How long a node runs tasks under leases without word from the coordinator before it stops them \(DurationOption.unitHelp)", valueName: "duration"))
    var leaseHold = DurationOption(.seconds(30))

    @Option(help: ArgumentHelp("Bytes of stdout kept per task (for example 8MiB, 512KiB).", valueName: "size"))
    var outputCap: SizeOption = SizeOption(bytes: 8 << 20)

    @Option(help: ArgumentHelp("Serve Prometheus metrics over HTTP at http://HOST:PORT/metrics (off by default; no authentication).", valueName: "host:port"))
    var metrics: String?

    @Option(help: "Log level (default: info, or $SWELL_LOG_LEVEL).")
    var logLevel: LogLevelOption?

    package init() {}

    package func validate() throws {
        guard listen.hasPrefix("tcp://") else {
            throw ValidationError("--listen takes a TCP endpoint such as tcp://127.0.0.1:7710")
        }
        if (key == nil) != (authorized == nil) {
            throw ValidationError("--key and --authorized go together: the key makes the coordinator a CURVE server, the list says whom it admits")
        }
        if key != nil, insecure {
            throw ValidationError("--insecure is for a coordinator without keys; with --key every peer is admitted by key")
        }
        if key == nil, !insecure, !ListenPolicy.isLoopback(listen) {
            throw ValidationError("""
                refusing to listen on \(listen) without keys: anyone who can reach it could run commands on every node. \
                Give --key and --authorized (see `swell keygen`), listen on 127.0.0.1, or pass --insecure on a network you trust.
                """)
        }
        guard (1...100).contains(suspectAfter) else { throw ValidationError("--suspect-after must be from 1 to 100") }
        guard heartbeatInterval.duration >= .milliseconds(50) else { throw ValidationError("--heartbeat-interval must be at least 50ms") }
        guard (1_024...(512 << 20)).contains(outputCap.bytes) else { throw ValidationError("--output-cap must be from 1KiB to 512MiB") }
        var names: Set<String> = []
        for item in limit where !names.insert(item.name).inserted {
            throw ValidationError("--limit \(item.name) is given twice")
        }
        guard leaseHold.duration >= .seconds(1) else { throw ValidationError("--lease-hold must be at least 1s") }
        if let metrics {
            do {
                _ = try MetricsServer.split(metrics)
            } catch {
                throw ValidationError("--metrics \(metrics): \(error.reason)")
            }
        }
    }

    var options: CoordinatorOptions {
        var settings = CoordinatorSettings(
            heartbeatInterval: heartbeatInterval.duration, suspectAfterMissed: suspectAfter,
            downGrace: downGrace.duration, outputCap: outputCap.bytes, resumeGrace: resumeGrace.duration,
            labelWait: labelWait.duration)
        settings.limits = Dictionary(limit.map { ($0.name, $0.rule) }, uniquingKeysWith: { _, last in last })
        settings.leaseHold = leaseHold.duration
        return CoordinatorOptions(
            listen: listen, stateDirectory: state ?? StateDirectory.default, keyFile: key, authorizedFile: authorized,
            insecure: insecure, settings: settings, metrics: metrics)
    }

    package func run() async throws {
        let logger = Logs.bootstrap(logLevel, fallback: .info, label: "swell-coordinator")
        let status = await DaemonRunner.run("swell-coordinator", logger: logger) { io in
            try CoordinatorProcess.build(options, io: io, logger: logger)
        }
        if status != 0 { throw ExitCode(status) }
    }
}
