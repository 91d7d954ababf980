import Foundation
package import Logging
import SwellCore
import SwellSecurity
package import SwellZMQ

/// The `swell-coordinator` process, as its command builds it.
package enum CoordinatorProcess {
    /// The coordinator service `options` describe, over `io`: keys read, journal opened, state
    /// directory locked.
    ///
    /// Throws `KeyError` for a key file or authorized file that cannot be used,
    /// `StateLockError` when another coordinator has the state directory, and `JournalFailure`
    /// when the journal cannot be opened.
    package static func build(_ options: CoordinatorOptions, io: ZMQIOThread, logger: Logger) throws -> CoordinatorService {
        var configuration = try self.configuration(options, logger: logger)
        configuration.onListening = { endpoints in
            for endpoint in endpoints { logger.info("listening on \(endpoint)") }
        }
        configuration.metrics = options.metrics
        configuration.onMetrics = { address in
            logger.info("metrics on http://\(address)/metrics")
            if !MetricsServer.isLoopback(address) {
                logger.warning("the metrics at \(address) need no key: anyone who reaches the port sees run ids, stage names and node names")
            }
        }
        let service: CoordinatorService
        do {
            service = try CoordinatorService(configuration: configuration, io: io, logger: logger)
        } catch let error as StateLockError {
            throw error
        } catch {
            throw JournalFailure(path: options.stateDirectory, reason: "\(error)", reading: true)
        }
        logger.info("journal: \(service.journal.path)")
        if let warning = connectionWarning() { logger.warning("\(warning)") }
        return service
    }

    /// Each connected node or client holds one open file of the coordinator, beside those it
    /// holds itself and the ``OpenFileLimit/reserve(_:)`` it keeps free; connections past that are closed
    /// as they come (see ``CoordinatorService/socketConfiguration(_:)``), so a limit that holds few
    /// says so.
    static let connectionsWarnedUnder = 1_000

    static func connectionWarning() -> String? {
        guard let allowed = OpenFileLimit.current(), let connections = OpenFileLimit.connectionRoom(),
              connections < connectionsWarnedUnder else { return nil }
        return "this coordinator may open \(allowed) files (ulimit -n): about \(connections) nodes and clients can be connected at once, "
            + "and any more are turned away; raise the limit (\(OpenFileLimit.howToRaise))"
    }

    /// The service's configuration: keys read and checked, the security mode set.
    package static func configuration(_ options: CoordinatorOptions, logger: Logger) throws -> CoordinatorConfiguration {
        var security: CoordinatorConfiguration.Security?
        if let keyFile = options.keyFile, let authorizedFile = options.authorizedFile {
            let pair = try KeyFiles.readSecret(keyFile)
            let keys = try AuthorizedKeys.load(authorizedFile)
            security = .init(publicKey: pair.publicKey, secretKey: pair.secretKey, authorized: keys, authorizedFile: authorizedFile)
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
