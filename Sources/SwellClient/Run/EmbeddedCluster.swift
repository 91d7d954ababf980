import Foundation
import Logging
import ServiceLifecycle
import SwellCoordinator
import SwellNode
import SwellZMQ

/// The embedded default of `swell run`: a coordinator and one node in this process, talking
/// the same protocol as a cluster over ZeroMQ `inproc://`, in a service group as the daemons are.
struct EmbeddedCluster: Sendable {
    let endpoint: String
    let services: ServiceGroup

    /// - Parameters:
    ///   - workingDirectory: the root the plan's folder is below (tasks run in the plan's folder).
    init(io: ZMQIOThread, stateDirectory: String, slots: Int, workingDirectory: String, logger: Logger) throws {
        endpoint = "inproc://swell-\(UUID().uuidString.lowercased())"
        let coordinator = try CoordinatorService(
            configuration: CoordinatorConfiguration(
                listen: [endpoint], stateDirectory: stateDirectory,
                settings: CoordinatorSettings(endpoint: "embedded", embedded: true)),
            io: io, logger: logger)
        let node = NodeService(
            configuration: NodeConfiguration(
                join: endpoint, name: "local", slots: slots, workingDirectory: workingDirectory,
                acceptsAnyLabels: true, transportHeartbeat: nil),
            io: io, logger: logger)
        // No signals: `swell run` handles SIGINT itself (it cancels the run first). The group
        // stops in reverse order: the node leaves while the coordinator still answers.
        services = ServiceGroup(configuration: ServiceGroupConfiguration(services: [coordinator, node], logger: logger))
    }

    /// Runs both until ``stop()``, or until one of them fails (the error is thrown).
    func run() async throws {
        try await services.run()
    }

    /// Stops both gracefully: the node leaves, then the coordinator stops.
    func stop() async {
        await services.triggerGracefulShutdown()
    }
}
