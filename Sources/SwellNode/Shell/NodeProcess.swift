import Foundation
package import Logging
import ServiceLifecycle
import SwellSecurity
import SwellZMQ

/// The `swell-node` process: reads its keys and runs its service in a service group that stops
/// gracefully (the node leaves) on SIGTERM and SIGINT.
package enum NodeProcess {
    /// Runs the node until SIGTERM or SIGINT and returns the process's exit status: 0 when it
    /// left on a signal, 2 for a key that cannot be used, 1 when it stops on an error.
    package static func run(_ options: NodeOptions, logger: Logger) async -> Int32 {
        let configuration: NodeConfiguration
        do {
            configuration = try self.configuration(options)
        } catch {
            FileHandle.standardError.write(Data("swell-node: \(error)\n".utf8))
            return 2
        }
        let io: ZMQIOThread
        do {
            io = try ZMQIOThread(context: ZMQContext(), name: "swell-zmq")
        } catch {
            logger.critical("cannot start ZeroMQ: \(error)")
            return 1
        }
        let node = NodeService(configuration: configuration, io: io, logger: logger)
        let allowed = options.allow.isEmpty ? "" : "; allowed: \(options.allow.joined(separator: ", "))"
        logger.info("joining \(options.join) as \(configuration.name) with \(configuration.slots) slot(s); tasks run in \(configuration.workingDirectory)\(allowed)\(configuration.curve == nil ? "" : "; CURVE on")")
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [node], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        var status: Int32 = 0
        do {
            try await group.run()
        } catch {
            logger.critical("stopped: \(error)")
            status = 1
        }
        await io.shutdown()
        return status
    }

    /// The service's configuration: the key read, the working directory made absolute.
    package static func configuration(_ options: NodeOptions) throws -> NodeConfiguration {
        var curve: ZMQSocketConfiguration.Curve?
        if let keyFile = options.keyFile, let coordinatorKey = options.coordinatorKey {
            curve = try KeyFiles.connectingCurve(secretKeyFile: keyFile, coordinatorKey: coordinatorKey)
        }
        let directory = URL(fileURLWithPath: options.workdir ?? FileManager.default.currentDirectoryPath).standardizedFileURL.path
        return NodeConfiguration(
            join: options.join, name: options.name, slots: options.slots, labels: options.labels, workingDirectory: directory,
            curve: curve, allow: options.allow.isEmpty ? nil : AllowList(options.allow), confined: options.workdir != nil)
    }
}
