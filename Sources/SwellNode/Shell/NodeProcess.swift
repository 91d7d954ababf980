import Foundation
package import Logging
import SwellSecurity
package import SwellZMQ

/// The `swell-node` process, as its command builds it.
package enum NodeProcess {
    /// The node service `options` describe, over `io`. Throws `KeyError` for a key that cannot be used.
    package static func build(_ options: NodeOptions, io: ZMQIOThread, logger: Logger) throws -> NodeService {
        let configuration = try self.configuration(options)
        let allowed = options.allow.isEmpty ? "" : "; allowed: \(options.allow.joined(separator: ", "))"
        logger.info("joining \(options.join) as \(configuration.name) with \(configuration.slots) slot(s); tasks run in \(configuration.workingDirectory)\(allowed)\(configuration.curve == nil ? "" : "; CURVE on")")
        return NodeService(configuration: configuration, io: io, logger: logger)
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
