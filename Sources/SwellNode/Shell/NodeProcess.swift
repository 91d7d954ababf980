import Foundation
package import Logging
import ServiceLifecycle
import SwellSecurity
import SwellZMQ

/// What a `swell-node` process is asked to do, its options checked.
package struct NodeOptions: Sendable {
    package var join: String
    package var name: String
    package var slots: Int
    package var labels: [String]
    /// Given: tasks run there and scopes may not climb out of it. Nil: the current directory.
    package var workdir: String?
    /// This node's secret key file and the coordinator's public key: both or neither.
    package var keyFile: String?
    package var coordinatorKey: String?
    /// `--allow` patterns; empty: anything runs.
    package var allow: [String]

    package init(join: String, name: String = NodeConfiguration.defaultName, slots: Int = 10, labels: [String] = [],
                 workdir: String? = nil, keyFile: String? = nil, coordinatorKey: String? = nil, allow: [String] = []) {
        self.join = join
        self.name = name
        self.slots = slots
        self.labels = labels
        self.workdir = workdir
        self.keyFile = keyFile
        self.coordinatorKey = coordinatorKey
        self.allow = allow
    }
}

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
