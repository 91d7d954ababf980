package import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SwellClient
import SwellCoordinator
import SwellPlan
import SwellProtocol
import SwellSecurity
import SwellZMQ

/// `swell-coordinator`: accepts plans and nodes, schedules, journals.
package struct CoordinatorCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "swell-coordinator",
        abstract: "Accept plans and worker nodes; schedule stage waves and shares; journal runs.",
        discussion: "Stops gracefully on SIGTERM or SIGINT.",
        version: SwellVersion.current)

    @Option(help: ArgumentHelp("Where nodes and clients connect (port 0 picks a free port).", valueName: "endpoint"))
    var listen = "tcp://127.0.0.1:7710"

    @Option(help: ArgumentHelp("The journal folder (default: $XDG_STATE_HOME/swell or ~/.local/state/swell).", valueName: "dir"))
    var state: String?

    @Option(help: ArgumentHelp("This coordinator's secret key (from swell keygen): admit peers by CURVE key only.", valueName: "file"))
    var key: String?

    @Option(help: ArgumentHelp("The keys admitted, one `ROLE NAME PUBLIC-KEY` per line (role: node or client).", valueName: "file"))
    var authorized: String?

    @Flag(help: "Listen beyond loopback without keys: anyone who reaches the port can run commands on every node.")
    var insecure = false

    @Option(help: ArgumentHelp("How often the coordinator and its nodes say they are alive.", valueName: "duration"))
    var heartbeatInterval = DurationOption(.milliseconds(500))

    @Option(help: ArgumentHelp("Missed heartbeat intervals after which a node is suspect (gets no new work).", valueName: "n"))
    var suspectAfter = 3

    @Option(help: ArgumentHelp("How much longer a suspect node has before it is down and its work goes elsewhere.", valueName: "duration"))
    var downGrace = DurationOption(.milliseconds(1_500))

    @Option(help: ArgumentHelp("After a restart, how long work in flight waits for its node to come back before it runs elsewhere.", valueName: "duration"))
    var resumeGrace = DurationOption(.seconds(10))

    @Option(help: ArgumentHelp("Bytes of stdout kept per task (for example 8MiB, 512KiB).", valueName: "size"))
    var outputCap: SizeOption = SizeOption(bytes: 8 << 20)

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
    }

    var settings: CoordinatorSettings {
        CoordinatorSettings(
            heartbeatInterval: heartbeatInterval.duration, suspectAfterMissed: suspectAfter,
            downGrace: downGrace.duration, outputCap: outputCap.bytes, resumeGrace: resumeGrace.duration)
    }

    package func run() async throws {
        let logger = Logs.bootstrap(logLevel, fallback: .info, label: "swell-coordinator")
        var security: CoordinatorConfiguration.Security?
        do {
            if let key, let authorized {
                let pair = try KeyFiles.readSecret(key)
                let keys = try AuthorizedKeys.load(authorized)
                security = .init(publicKey: pair.publicKey, secretKey: pair.secretKey, authorized: keys)
                logger.info("CURVE on: \(keys.entries.filter { $0.role == .node }.count) node key(s) and \(keys.entries.filter { $0.role == .client }.count) client key(s) admitted; this coordinator's public key is \(pair.publicKey)")
            }
        } catch {
            FileHandle.standardError.write(Data("swell-coordinator: \(error)\n".utf8))
            throw ExitCode(2)
        }
        var tuned = settings
        if security == nil, insecure {
            tuned.security = .insecure
            logger.warning("""
                INSECURE: listening on \(listen) without keys. Anyone who can reach this port can submit plans \
                and join as a node, which means running any command on every node. Use --key and --authorized.
                """)
        }
        let io = try ZMQIOThread(context: ZMQContext(), name: "swell-zmq")
        let stateDirectory = state ?? StateDirectory.default
        let service: CoordinatorService
        do {
            service = try CoordinatorService(
                configuration: CoordinatorConfiguration(
                    listen: [listen], stateDirectory: stateDirectory, settings: tuned, security: security,
                    onListening: { endpoints in
                        for endpoint in endpoints { logger.info("listening on \(endpoint)") }
                    }),
                io: io, logger: logger)
        } catch let error as StateLockError {
            logger.critical("\(error.message)")
            throw ExitCode(1)
        } catch {
            logger.critical("cannot open the journal in \(stateDirectory): \(error)")
            throw ExitCode(1)
        }
        logger.info("journal: \(service.journal.path)")
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let error as ZMQError {
            logger.critical("cannot listen on \(listen): \(error.message)")
            await io.shutdown()
            throw ExitCode(1)
        } catch {
            logger.critical("stopped: \(error)")
            await io.shutdown()
            throw ExitCode(1)
        }
        await io.shutdown()
    }
}


/// A duration option: `500ms`, `30s`, `1.5m`, `1h`.
struct DurationOption: ExpressibleByArgument, Sendable {
    var duration: Duration

    init(_ duration: Duration) { self.duration = duration }

    init?(argument: String) {
        guard let duration = Durations.parse(argument), duration > .zero else { return nil }
        self.duration = duration
    }

    var defaultValueDescription: String { Durations.format(duration) }
}

/// A size option: a number of bytes, or with a unit: `512KiB`, `8MiB`, `1GiB` (K, M, G too).
struct SizeOption: ExpressibleByArgument, Sendable {
    var bytes: Int

    init(bytes: Int) { self.bytes = bytes }

    init?(argument: String) {
        let units: [(String, Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("G", 1 << 30),
                                      ("M", 1 << 20), ("K", 1 << 10), ("B", 1)]
        for (suffix, scale) in units where argument.hasSuffix(suffix) {
            guard let value = Int(argument.dropLast(suffix.count)), value > 0 else { return nil }
            bytes = value * scale
            return
        }
        guard let value = Int(argument), value > 0 else { return nil }
        bytes = value
    }

    var defaultValueDescription: String { bytes % (1 << 20) == 0 ? "\(bytes >> 20)MiB" : "\(bytes)" }
}
