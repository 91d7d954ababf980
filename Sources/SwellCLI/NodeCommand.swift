package import ArgumentParser
import Foundation
import Logging
import SwellNode
import SwellProtocol
import SwellSecurity

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

    @Option(help: ArgumentHelp("The coordinator's endpoint.", valueName: "endpoint"), transform: EndpointOption.connecting)
    var join: String

    @Option(help: "The node's name (default: the host name). A second live node of one name is known as NAME#2.")
    var name: String?

    @Option(help: "Tasks this node runs at once (default 10).")
    var slots: Int?
    /// `--slots`, or its default.
    var slotCount: Int { slots ?? 10 }

    @Option(help: ArgumentHelp("Labels, comma-separated; a stage with `labels` runs only on nodes that have them all.", valueName: "l1,l2"))
    var labels: String?

    @Option(help: ArgumentHelp("The root of the checkout the plans are in: a task runs in its plan's folder below it (default: the current directory); given, tasks whose scopes point outside it are refused.", valueName: "dir"))
    var workdir: String?

    @Option(help: ArgumentHelp("This node's secret key (from swell keygen), for a coordinator that admits by key.", valueName: "file"))
    var key: String?

    @Option(help: ArgumentHelp("The coordinator's public key: 40 Z85 characters, or its .pub file.", valueName: "key"))
    var coordinatorKey: String?

    @Option(help: ArgumentHelp("Run only these programs (a name or glob; repeatable). Pipes and lists of allowed programs run; other shell syntax needs --allow sh.", valueName: "pattern"))
    var allow: [String] = []

    @Option(help: "Log level (default: info, or $SWELL_LOG_LEVEL).")
    var logLevel: LogLevelOption?

    package init() {}

    package func validate() throws {
        guard join.hasPrefix("tcp://") else { throw ValidationError("--join takes an endpoint such as tcp://HOST:7710") }
        if let slots, !(1...10_000).contains(slots) { throw ValidationError("--slots must be from 1 to 10000") }
        if let problem = OpenFileBudget.problem(slots: slotCount, given: slots != nil) { throw ValidationError(problem) }
        if (key == nil) != (coordinatorKey == nil) {
            throw ValidationError("--key and --coordinator-key go together: this node's secret key, and the coordinator's public key")
        }
        if allow.contains(where: \.isEmpty) { throw ValidationError("--allow takes a program name or glob") }
        if let name, name.isEmpty || name.contains("#") {
            throw ValidationError("--name must be non-empty and without '#' (the coordinator calls a second node of one name NAME#2)")
        }
        if let workdir {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: workdir, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--workdir \(workdir) is not a directory")
            }
        }
    }

    var options: NodeOptions {
        NodeOptions(
            join: join, name: name ?? NodeConfiguration.defaultName, slots: slotCount,
            labels: labels?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } ?? [],
            workdir: workdir, keyFile: key, coordinatorKey: coordinatorKey, allow: allow)
    }

    package func run() async throws {
        let logger = Logs.bootstrap(logLevel, fallback: .info, label: "swell-node")
        Orphans.adopt { problem in logger.warning("tasks that leave their process group may outlive them: \(problem)") }
        let status = await DaemonRunner.run("swell-node", logger: logger) { io in
            try NodeProcess.build(options, io: io, logger: logger)
        }
        await Orphans.settle()
        if status != 0 { throw ExitCode(status) }
    }
}
