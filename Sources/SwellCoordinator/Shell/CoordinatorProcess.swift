import Foundation
package import Logging
import ServiceLifecycle
import SwellSecurity
import SwellZMQ

/// The `swell-coordinator` process: reads its keys, opens its journal, and runs its service in a
/// service group that stops gracefully on SIGTERM and SIGINT.
package enum CoordinatorProcess {
    /// Runs the coordinator until SIGTERM or SIGINT and returns the process's exit status: 0 when
    /// it stopped on a signal, 2 for a key file or authorized file that cannot be used, 1 when it
    /// cannot start (another coordinator has the state directory, the journal cannot be opened,
    /// the endpoint cannot be bound) or stops on an error.
    package static func run(_ options: CoordinatorOptions, logger: Logger) async -> Int32 {
        var configuration: CoordinatorConfiguration
        do {
            configuration = try self.configuration(options, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("swell-coordinator: \(error)\n".utf8))
            return 2
        }
        let io: ZMQIOThread
        do {
            io = try ZMQIOThread(context: ZMQContext(), name: "swell-zmq")
        } catch {
            logger.critical("cannot start ZeroMQ: \(error)")
            return 1
        }
        configuration.onListening = { endpoints in
            for endpoint in endpoints { logger.info("listening on \(endpoint)") }
        }
        let service: CoordinatorService
        do {
            service = try CoordinatorService(configuration: configuration, io: io, logger: logger)
        } catch let error as StateLockError {
            logger.critical("\(error.message)")
            await io.shutdown()
            return 1
        } catch {
            logger.critical("cannot open the journal in \(options.stateDirectory): \(error)")
            await io.shutdown()
            return 1
        }
        logger.info("journal: \(service.journal.path)")
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        var status: Int32 = 0
        do {
            try await group.run()
        } catch let error as ZMQError {
            logger.critical("cannot listen on \(options.listen): \(error.message)")
            status = 1
        } catch {
            logger.critical("stopped: \(error)")
            status = 1
        }
        await io.shutdown()
        return status
    }

    /// The service's configuration: keys read and checked, the security mode set.
    package static func configuration(_ options: CoordinatorOptions, logger: Logger) throws -> CoordinatorConfiguration {
        var security: CoordinatorConfiguration.Security?
        if let keyFile = options.keyFile, let authorizedFile = options.authorizedFile {
            let pair = try KeyFiles.readSecret(keyFile)
            let keys = try AuthorizedKeys.load(authorizedFile)
            security = .init(publicKey: pair.publicKey, secretKey: pair.secretKey, authorized: keys)
            logger.info("CURVE on: \(keys.entries.filter { $0.role == .node }.count) node key(s) and \(keys.entries.filter { $0.role == .client }.count) client key(s) admitted; this coordinator's public key is \(pair.publicKey)")
        }
        var settings = options.settings
        if security == nil, options.insecure {
            settings.security = .insecure
            logger.warning("""
                INSECURE: listening on \(options.listen) without keys. Anyone who can reach this port can submit plans \
                and join as a node, which means running any command on every node. Use --key and --authorized.
                """)
        }
        return CoordinatorConfiguration(listen: [options.listen], stateDirectory: options.stateDirectory,
                                        settings: settings, security: security)
    }
}
