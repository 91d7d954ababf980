package import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SwellNode
import SwellProtocol
import SwellSecurity
import SwellZMQ

/// `swell-node`: joins a coordinator and runs the shares it is given.
package struct NodeCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "swell-node",
        abstract: "Join a coordinator and run the shares it hands out.",
        discussion: """
            Tasks run in --workdir, which must hold the same paths the plans name (the same \
            checkout, a shared file system or the same container image). Stops gracefully on \
            SIGTERM or SIGINT: running tasks are stopped and their work goes back to the pool.
            """,
        version: SwellVersion.current)

    @Option(help: ArgumentHelp("The coordinator's endpoint.", valueName: "endpoint"))
    var join: String

    @Option(help: "The node's name (default: the host name). Names must be unique in a cluster.")
    var name: String?

    @Option(help: "Tasks this node runs at once.")
    var slots: Int = 10

    @Option(help: ArgumentHelp("Labels, comma-separated; a stage with `labels` runs only on nodes that have them all.", valueName: "l1,l2"))
    var labels: String?

    @Option(help: ArgumentHelp("Where tasks run (default: the current directory); given, tasks whose scopes point outside it are refused.", valueName: "dir"))
    var workdir: String?

    @Option(help: ArgumentHelp("This node's secret key (from swell keygen), for a coordinator that admits by key.", valueName: "file"))
    var key: String?

    @Option(help: ArgumentHelp("The coordinator's public key: 40 Z85 characters, or its .pub file.", valueName: "key"))
    var coordinatorKey: String?

    @Option(help: ArgumentHelp("Run only these programs (a name or glob; repeatable). String commands with shell syntax need --allow sh.", valueName: "pattern"))
    var allow: [String] = []

    @Option(help: "Log level (default: info, or $SWELL_LOG_LEVEL).")
    var logLevel: LogLevelOption?

    package init() {}

    package func validate() throws {
        guard join.hasPrefix("tcp://") else { throw ValidationError("--join takes an endpoint such as tcp://HOST:7710") }
        guard (1...10_000).contains(slots) else { throw ValidationError("--slots must be from 1 to 10000") }
        if (key == nil) != (coordinatorKey == nil) {
            throw ValidationError("--key and --coordinator-key go together: this node's secret key, and the coordinator's public key")
        }
        if allow.contains(where: \.isEmpty) { throw ValidationError("--allow takes a program name or glob") }
        if let workdir {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: workdir, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--workdir \(workdir) is not a directory")
            }
        }
    }

    package func run() async throws {
        let logger = Logs.bootstrap(logLevel, fallback: .info, label: "swell-node")
        var curve: ZMQSocketConfiguration.Curve?
        do {
            if let key, let coordinatorKey {
                curve = try KeyFiles.connectingCurve(secretKeyFile: key, coordinatorKey: coordinatorKey)
            }
        } catch {
            FileHandle.standardError.write(Data("swell-node: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let io = try ZMQIOThread(context: ZMQContext(), name: "swell-zmq")
        let directory = URL(fileURLWithPath: workdir ?? FileManager.default.currentDirectoryPath).standardizedFileURL.path
        let node = NodeService(
            configuration: NodeConfiguration(
                join: join, name: name ?? NodeConfiguration.defaultName, slots: slots,
                labels: labels?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } ?? [],
                workingDirectory: directory, curve: curve, allow: allow.isEmpty ? nil : AllowList(allow),
                confined: workdir != nil),
            io: io, logger: logger)
        let allowed = allow.isEmpty ? "" : "; allowed: \(allow.joined(separator: ", "))"
        logger.info("joining \(join) as \(node.configuration.name) with \(slots) slot(s); tasks run in \(directory)\(allowed)\(curve == nil ? "" : "; CURVE on")")
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [node], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await io.shutdown()
    }
}
