import Foundation
import Testing
import SwellTestSupport

/// The folder that holds the built executables (next to the test bundle).
enum Binaries {
    static let directory: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // swift-testing on Linux may run from inside the .xctest bundle path.
        if url.lastPathComponent.hasSuffix(".xctest") { url = url.deletingLastPathComponent() }
        return url.path
    }()

    static func path(_ name: String) -> String {
        let path = directory + "/" + name
        precondition(FileManager.default.isExecutableFile(atPath: path),
                     "\(path) is missing: build the executables first (swift build)")
        return path
    }
}

/// A finished command: its exit status and output.
struct Finished {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// A fresh temporary folder, removed by `remove()`.
struct Scratch {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("swell-it-\(UUID().uuidString.prefix(8))").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) -> String {
        let file = path + "/" + name
        try! FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func read(_ name: String) -> String {
        (try? String(contentsOfFile: path + "/" + name, encoding: .utf8)) ?? ""
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// Copies sleep here under a name no other process has (`PREFIX` and 8 random characters),
    /// so that `countProcesses(named:)` counts exactly the tasks that run it as `./NAME`.
    func sleepUnderOwnName(_ prefix: String) throws -> String {
        let name = prefix + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: path + "/" + name)
        return name
    }
}

/// Runs a program to its end (at most `timeout`), output captured through files.
func run(_ program: String, _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
         timeout: Duration = .seconds(120)) async throws -> Finished {
    let scratch = Scratch()
    defer { scratch.remove() }
    let out = scratch.path + "/stdout", err = scratch.path + "/stderr"
    _ = FileManager.default.createFile(atPath: out, contents: nil)
    _ = FileManager.default.createFile(atPath: err, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    var env = ProcessInfo.processInfo.environment
    env["SWELL_LOG_LEVEL"] = nil
    // Whatever a killed embedded node leaves in its temporary folder goes with the scratch.
    env["TMPDIR"] = scratch.path
    for (key, value) in environment { env[key] = value }
    process.environment = env
    process.standardOutput = FileHandle(forWritingAtPath: out)
    process.standardError = FileHandle(forWritingAtPath: err)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    if await !eventually(timeout, { !process.isRunning }) {
        kill(process.processIdentifier, SIGKILL)
        Issue.record("\(program) \(arguments) did not end within \(timeout)")
    }
    process.waitUntilExit()
    return Finished(status: process.terminationStatus, stdout: scratch.read("stdout"), stderr: scratch.read("stderr"))
}

/// A long-running program (coordinator, node), stopped and reaped by `stop()` or `kill()`.
final class Background: @unchecked Sendable {
    // @unchecked: used from one test task at a time; Process is thread-safe for these calls.
    let process = Process()
    let log: String
    let name: String

    init(_ program: String, _ arguments: [String], log: String, name: String, directory: String? = nil) throws {
        self.log = log
        self.name = name
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        env["SWELL_LOG_LEVEL"] = "info"
        // A node killed outright leaves its input folder beside its log, in the test's scratch.
        env["TMPDIR"] = (log as NSString).deletingLastPathComponent
        process.environment = env
        let handle = FileHandle(forWritingAtPath: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// SIGTERM, then wait for it to end (SIGKILL after 10 s).
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    func kill9() {
        guard process.isRunning else { return }
        kill(pid, SIGKILL)
        process.waitUntilExit()
    }
}

/// A coordinator and nodes on loopback, started from the built binaries.
final class LocalCluster: @unchecked Sendable {
    // @unchecked: driven by one test task at a time.
    let scratch = Scratch()
    var coordinator: Background
    var nodes: [Background] = []
    let endpoint: String
    let coordinatorArguments: [String]
    let workdir: String
    let slots: Int
    /// Extra arguments for each node, by name (keys, --allow).
    let nodeArguments: @Sendable (String) -> [String]
    private var coordinatorStarts = 1

    /// - Parameter port: a fixed port (so that a restarted coordinator has the same endpoint);
    ///   nil lets the coordinator pick one.
    init(nodes count: Int, slots: Int = 10, workdir: String, port: Int? = nil, coordinatorArguments: [String] = [],
         nodeArguments: @escaping @Sendable (String) -> [String] = { _ in [] }) async throws {
        self.coordinatorArguments = coordinatorArguments
        self.nodeArguments = nodeArguments
        self.workdir = workdir
        self.slots = slots
        let listen = "tcp://127.0.0.1:\(port ?? 0)"
        let coordinator = try Background(Binaries.path("swell-coordinator"),
                                         ["--listen", listen, "--state", scratch.path + "/state"] + coordinatorArguments,
                                         log: scratch.path + "/coordinator.log", name: "coordinator")
        self.coordinator = coordinator
        var found: String?
        _ = await eventually(.seconds(15)) {
            for line in coordinator.output.split(separator: "\n") {
                if let marker = line.range(of: "listening on ") {
                    found = String(line[marker.upperBound...]).trimmingCharacters(in: .whitespaces)
                }
            }
            return found != nil
        }
        guard let found else {
            coordinator.stop()
            throw ClusterError.notListening(coordinator.output)
        }
        endpoint = found
        for i in stride(from: 1, through: count, by: 1) { try addNode("n\(i)") }
        let joined = await eventually(.seconds(20)) { self.coordinator.output.components(separatedBy: " joined with ").count - 1 >= count }
        if !joined {
            stop()
            throw ClusterError.nodesMissing(coordinator.output)
        }
    }

    /// Starts a node process; `claiming` is the name it gives (default: `name`), `extra` adds to
    /// the cluster's `nodeArguments`.
    func addNode(_ name: String, claiming: String? = nil, extra: [String] = []) throws {
        nodes.append(try Background(Binaries.path("swell-node"),
                                    ["--join", endpoint, "--name", claiming ?? name, "--slots", String(slots), "--workdir", workdir]
                                        + nodeArguments(name) + extra,
                                    log: scratch.path + "/\(name)-\(nodes.count).log", name: name))
    }

    func node(_ name: String) -> Background { nodes.last { $0.name == name }! }

    /// Starts the coordinator again on the same state and endpoint (after `kill9()`).
    func restartCoordinator() async throws {
        coordinatorStarts += 1
        coordinator = try Background(Binaries.path("swell-coordinator"),
                                     ["--listen", endpoint, "--state", scratch.path + "/state"] + coordinatorArguments,
                                     log: scratch.path + "/coordinator-\(coordinatorStarts).log", name: "coordinator")
        let listening = await eventually(.seconds(15)) { self.coordinator.output.contains("listening on ") }
        if !listening { throw ClusterError.notListening(coordinator.output) }
    }

    func stop() {
        for node in nodes { node.stop() }
        coordinator.stop()
        scratch.remove()
    }

    enum ClusterError: Error {
        case notListening(String)
        case nodesMissing(String)
    }
}

/// `swell run` in the background, its output in files.
final class BackgroundRun: @unchecked Sendable {
    // @unchecked: driven by one test task at a time; Process is safe for these calls.
    let process = Process()
    let stdoutPath: String
    let stderrPath: String

    init(_ arguments: [String], in scratch: Scratch, name: String = "run") throws {
        stdoutPath = scratch.path + "/\(name).out"
        stderrPath = scratch.path + "/\(name).err"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: Binaries.path("swell"))
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["TMPDIR"] = scratch.path
        process.environment = env
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// The run id, once `swell run` has printed `swell: run ID started (...)`.
    var runID: String? { startedRunID(in: stderr) }

    /// Waits for the end (at most `timeout`, then kills it) and returns the exit status.
    func wait(_ timeout: Duration = .seconds(120)) async -> Int32 {
        if await !eventually(timeout, { !process.isRunning }) {
            Issue.record("swell run did not end within \(timeout)")
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    func kill9() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// SIGTERM if it still runs (it then stops its tasks), and wait for it.
    func terminate() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

/// The run id in `swell run`'s stderr, once it has printed `swell: run ID started (plan ...)`.
func startedRunID(in stderr: String) -> String? {
    stderr.split(separator: "\n").compactMap { line -> String? in
        guard line.hasPrefix("swell: run "), line.contains(" started (plan ") else { return nil }
        return line.dropFirst("swell: run ".count).split(separator: " ").first.map(String.init)
    }.first
}

/// The lines tasks append to a ledger: `start|end SCOPE NODE ATTEMPT TIME`.
struct LedgerEntry {
    var event: String
    var scope: String
    var node: String
    var attempt: Int
    var time: Double

    /// The shell that writes a start line, then an end line, around `body`.
    static func wrap(_ body: String, ledger: String = "ledger") -> String {
        """
        echo "start {scope} $SWELL_NODE $SWELL_ATTEMPT $(date +%s.%N)" >> \(ledger)
        \(body)
        echo "end {scope} $SWELL_NODE $SWELL_ATTEMPT $(date +%s.%N)" >> \(ledger)
        """
    }

    static func read(_ text: String) -> [LedgerEntry] {
        text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ").map(String.init)
            guard f.count == 5, let attempt = Int(f[3]), let time = Double(f[4]) else { return nil }
            return LedgerEntry(event: f[0], scope: f[1], node: f[2], attempt: attempt, time: time)
        }
    }
}

/// `swell status --json` of the coordinator at `endpoint`, parsed (empty if it failed).
func statusJSON(_ endpoint: String, _ options: [String] = []) async throws -> [String: Any] {
    let status = try await swell(["status", "--coordinator", endpoint, "--json"] + options)
    #expect(status.status == 0, "\(status.stderr)")
    return (try? JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]) ?? [:]
}

/// Runs `swell` with arguments.
func swell(_ arguments: [String], in directory: String? = nil, timeout: Duration = .seconds(120)) async throws -> Finished {
    try await run(Binaries.path("swell"), arguments, in: directory, timeout: timeout)
}
