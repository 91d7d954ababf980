import Foundation
import Testing

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
    for (key, value) in environment { env[key] = value }
    process.environment = env
    process.standardOutput = FileHandle(forWritingAtPath: out)
    process.standardError = FileHandle(forWritingAtPath: err)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = ContinuousClock.now + timeout
    while process.isRunning {
        if ContinuousClock.now > deadline {
            process.interrupt()
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            Issue.record("\(program) \(arguments) did not end within \(timeout)")
            break
        }
        try await Task.sleep(for: .milliseconds(10))
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

/// Waits for `condition` with a deadline, checking every 20 ms.
func eventually(_ timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// A coordinator and nodes on loopback, started from the built binaries.
final class LocalCluster: @unchecked Sendable {
    // @unchecked: driven by one test task at a time.
    let scratch = Scratch()
    let coordinator: Background
    var nodes: [Background] = []
    let endpoint: String

    init(nodes count: Int, slots: Int = 10, workdir: String) async throws {
        let coordinator = try Background(Binaries.path("swell-coordinator"),
                                         ["--listen", "tcp://127.0.0.1:0", "--state", scratch.path + "/state"],
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
        for i in 1...count {
            nodes.append(try Background(Binaries.path("swell-node"),
                                        ["--join", endpoint, "--name", "n\(i)", "--slots", String(slots), "--workdir", workdir],
                                        log: scratch.path + "/n\(i).log", name: "n\(i)"))
        }
        let joined = await eventually(.seconds(20)) { self.coordinator.output.components(separatedBy: " joined with ").count - 1 >= count }
        if !joined {
            stop()
            throw ClusterError.nodesMissing(coordinator.output)
        }
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

/// Runs `swell` with arguments.
func swell(_ arguments: [String], in directory: String? = nil, timeout: Duration = .seconds(120)) async throws -> Finished {
    try await run(Binaries.path("swell"), arguments, in: directory, timeout: timeout)
}
