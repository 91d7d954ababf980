import Foundation
package import Logging
import SwellCoordinator
import SwellNode
package import SwellZMQ

/// The embedded default of `swell run`: a coordinator and one node in this process, talking
/// the same protocol as a cluster over ZeroMQ `inproc://`.
package struct EmbeddedCluster: Sendable {
    package let endpoint: String
    let coordinator: CoordinatorService
    let node: NodeService

    /// - Parameters:
    ///   - workingDirectory: where tasks run (the plan file's folder).
    package init(io: ZMQIOThread, stateDirectory: String, slots: Int, workingDirectory: String, logger: Logger) throws {
        endpoint = "inproc://swell-\(UUID().uuidString.lowercased())"
        coordinator = try CoordinatorService(
            configuration: CoordinatorConfiguration(
                listen: [endpoint], stateDirectory: stateDirectory,
                settings: CoordinatorSettings(endpoint: "embedded", embedded: true), transportHeartbeat: nil),
            io: io, logger: logger)
        node = NodeService(
            configuration: NodeConfiguration(
                join: endpoint, name: "local", slots: slots, workingDirectory: workingDirectory,
                acceptsAnyLabels: true, transportHeartbeat: nil),
            io: io, logger: logger)
    }

    /// Runs both until cancelled.
    package func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await coordinator.run() }
            group.addTask { try await node.run() }
        }
    }
}
