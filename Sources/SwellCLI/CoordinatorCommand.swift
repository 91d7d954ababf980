public import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SwellClient
import SwellCoordinator
import SwellProtocol
import SwellZMQ

/// `swell-coordinator`: accepts plans and nodes, schedules, journals.
public struct CoordinatorCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "swell-coordinator",
        abstract: "Accept plans and worker nodes; schedule stage waves and shares; journal runs.",
        discussion: "Stops gracefully on SIGTERM or SIGINT.",
        version: SwellVersion.current)

    @Option(help: ArgumentHelp("Where nodes and clients connect (port 0 picks a free port).", valueName: "endpoint"))
    var listen = "tcp://127.0.0.1:7710"

    @Option(help: ArgumentHelp("The journal folder (default: $XDG_STATE_HOME/swell or ~/.local/state/swell).", valueName: "dir"))
    var state: String?

    @Option(help: "Log level (default: info, or $SWELL_LOG_LEVEL).")
    var logLevel: LogLevelOption?

    public init() {}

    public func validate() throws {
        guard listen.hasPrefix("tcp://") else {
            throw ValidationError("--listen takes a TCP endpoint such as tcp://127.0.0.1:7710")
        }
    }

    public func run() async throws {
        let logger = Logs.bootstrap(logLevel, fallback: .info, label: "swell-coordinator")
        let io = try ZMQIOThread(context: ZMQContext(), name: "swell-zmq")
        let stateDirectory = state ?? StateDirectory.default
        let service: CoordinatorService
        do {
            service = try CoordinatorService(
                configuration: CoordinatorConfiguration(
                    listen: [listen], stateDirectory: stateDirectory,
                    onListening: { endpoints in
                        for endpoint in endpoints { logger.info("listening on \(endpoint)") }
                    }),
                io: io, logger: logger)
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

