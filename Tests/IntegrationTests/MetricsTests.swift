import CZeroMQ
import Foundation
import Testing
import SwellTestSupport

/// `swell-coordinator --metrics`: scraped over real HTTP while a run runs and after it ends.
@Suite struct MetricsTests {
    @Test func theMetricsMoveWithARun() async throws {
        let work = Scratch()
        defer { work.remove() }
        // 30 tasks on 2 nodes of 10 slots: 20 run and wait for the gate, 10 queue.
        let plan = work.write("gated.yaml", """
            name: gated
            stages:
              - id: list
                run: seq 1 30
              - id: each
                needs: [list]
                partition: { lines-of: list }
                run: "while [ ! -e go ]; do sleep 0.05; done; echo {scope}"
            """)
        let cluster = try await LocalCluster(nodes: 2, workdir: work.path, coordinatorArguments: ["--metrics", "127.0.0.1:0"])
        defer { cluster.stop() }
        let address = try #require(await Self.metricsAddress(cluster.coordinator))

        let idle = try Self.scrape(address)
        #expect(idle.status == 200, "\(idle.head)")
        #expect(idle.head.contains("Content-Type: text/plain; version=0.0.4"), "\(idle.head)")
        // The gauges follow within a tick (100 ms) of the nodes' joining.
        var before: [String: Double] = [:]
        #expect(await eventually(.seconds(5)) {
            before = Self.samples((try? Self.scrape(address).body) ?? "")
            return before["swell_nodes{state=\"up\"}"] == 2
        }, "\(before)")
        #expect(before["swell_slots"] == 20)
        #expect(before["swell_slots_in_use"] == 0)
        #expect(before["swell_runs{status=\"running\"}"] == 0)
        #expect(before["swell_runs_finished_total{status=\"succeeded\"}"] == 0)

        let run = try BackgroundRun(["run", plan, "--coordinator", cluster.endpoint, "--progress", "plain"], in: work)
        let id = try #require(await eventually(.seconds(30)) { run.runID != nil } ? run.runID : nil, "\(run.stderr)")
        // While 20 tasks wait for the gate.
        var running: [String: Double] = [:]
        let busy = await eventually(.seconds(30)) {
            running = Self.samples((try? Self.scrape(address).body) ?? "")
            return running["swell_tasks_running"] == 20
        }
        #expect(busy, "\(running)")
        #expect(running["swell_runs{status=\"running\"}"] == 1)
        #expect(running["swell_slots_in_use"] == 20)
        #expect(running["swell_tasks{status=\"assigned\"}"] == 20)
        #expect(running["swell_tasks{status=\"waiting\"}"] == 10)
        #expect(running["swell_stage_queued_tasks{run=\"\(id)\",stage=\"each\"}"] == 10, "\(running)")
        #expect(running["swell_stage_running_tasks{run=\"\(id)\",stage=\"each\"}"] == 20)
        #expect(running["swell_task_attempts_total{outcome=\"succeeded\",final=\"true\"}"] == 1, "the list task")

        _ = work.write("go", "")
        #expect(await run.wait() == 0, "\(run.stderr)")
        var after: [String: Double] = [:]
        let settled = await eventually(.seconds(15)) {
            after = Self.samples((try? Self.scrape(address).body) ?? "")
            // Nodes say how many tasks they run in their heartbeats.
            return after["swell_runs_finished_total{status=\"succeeded\"}"] == 1 && after["swell_slots_in_use"] == 0
                && after["swell_tasks_running"] == 0
        }
        #expect(settled, "\(after)")
        #expect(after["swell_task_attempts_total{outcome=\"succeeded\",final=\"true\"}"] == 31)
        #expect(after["swell_task_attempts_total{outcome=\"failed\",final=\"true\"}"] == 0)
        #expect(after["swell_report_latency_seconds_count"] == 31, "one latency per report")
        #expect((after["swell_journal_write_seconds_count"] ?? 0) >= 2)
        #expect(after.keys.allSatisfy { !$0.hasPrefix("swell_stage_") }, "a finished stage's series go: \(after.keys.sorted())")

        // A message from a stranger is dropped and counted under the reason status gives.
        try Self.sendNonsense(to: cluster.endpoint)
        var dropped: [String: Int] = [:]
        #expect(await eventually(.seconds(15)) {
            dropped = ((try? await statusJSON(cluster.endpoint))?["dropped"] as? [String: Int] ?? [:]).filter { $0.value > 0 }
            return !dropped.isEmpty
        })
        let counted = await eventually(.seconds(15)) {
            let now = Self.samples((try? Self.scrape(address).body) ?? "")
            let total = now.filter { $0.key.hasPrefix("swell_dropped_messages_total") }.values.reduce(0, +)
            return total == Double(dropped.values.reduce(0, +))
        }
        #expect(counted, "\(dropped)")

        // Clients that connect and say nothing, or trickle a byte at a time, hold up no scrape,
        // and each is dropped 5 s after it connected.
        let silent = try (0..<4).map { _ in try Self.connect(address) }
        defer { for fd in silent { close(fd) } }
        let trickler = try Self.connect(address)
        defer { close(trickler) }
        _ = "GE".withCString { send(trickler, $0, 2, Int32(MSG_NOSIGNAL)) }
        let during = try Self.scrape(address)
        #expect(during.status == 200)
        for fd in silent + [trickler] {
            var byte: UInt8 = 0
            var wait = timeval(tv_sec: 15, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
            #expect(read(fd, &byte, 1) == 0, "a silent client is dropped")
        }
        // A client that ends its lines with bare line feeds is answered too.
        #expect(try Self.scrape(address, lineEnd: "\n").status == 200)

        // Not a scrape: a clear status.
        #expect(try Self.scrape(address, path: "/").status == 404)
        #expect(try Self.scrape(address, method: "POST").status == 405)
    }

    @Test func aMetricsAddressThatCannotBeUsedIsAnError() async throws {
        let work = Scratch()
        defer { work.remove() }
        let bad = try await run(Binaries.path("swell-coordinator"), ["--listen", "tcp://127.0.0.1:0", "--state", work.path + "/s",
                                                                     "--metrics", "9464"])
        #expect(bad.status == 64 || bad.status == 2, "\(bad.stderr)")
        #expect(bad.stderr.contains("--metrics 9464: give HOST:PORT"), "\(bad.stderr)")

        // A port already taken: the coordinator says so and stops.
        let holder = try await LocalCluster(nodes: 1, workdir: work.path, coordinatorArguments: ["--metrics", "127.0.0.1:0"])
        defer { holder.stop() }
        let taken = try #require(await Self.metricsAddress(holder.coordinator))
        let second = try await run(Binaries.path("swell-coordinator"), ["--listen", "tcp://127.0.0.1:0", "--state", work.path + "/t",
                                                                        "--metrics", taken], timeout: .seconds(30))
        #expect(second.status == 1)
        #expect((second.stdout + second.stderr).contains("cannot serve metrics on \(taken): Address already in use"),
                "\(second.stdout)\(second.stderr)")
    }

    /// The `HOST:PORT` the coordinator logged as `metrics on http://HOST:PORT/metrics`.
    static func metricsAddress(_ coordinator: Background) async -> String? {
        var found: String?
        _ = await eventually(.seconds(15)) {
            for line in coordinator.output.split(separator: "\n") {
                if let start = line.range(of: "metrics on http://"), let end = line.range(of: "/metrics", range: start.upperBound..<line.endIndex) {
                    found = String(line[start.upperBound..<end.lowerBound])
                }
            }
            return found != nil
        }
        return found
    }

    /// One HTTP request over a plain TCP socket: the status code, the head and the body.
    static func scrape(_ address: String, path: String = "/metrics", method: String = "GET",
                       lineEnd: String = "\r\n") throws -> (status: Int, head: String, body: String) {
        let fd = try connect(address)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("\(method) \(path) HTTP/1.1\(lineEnd)Host: \(address)\(lineEnd)Content-Length: 0\(lineEnd)\(lineEnd)".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            guard count > 0 else { break }
            response += buffer[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw ScrapeError.failed("no HTTP head in \(text)") }
        let head = String(text[..<split.lowerBound])
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, head, String(text[split.upperBound...]))
    }

    /// A TCP connection to `HOST:PORT` (IPv4).
    static func connect(_ address: String) throws -> Int32 {
        let parts = address.split(separator: ":")
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ScrapeError.failed("socket") }
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = UInt16(parts[1])!.bigEndian
        inet_pton(AF_INET, String(parts[0]), &target.sin_addr)
        let connected = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw ScrapeError.failed("connect: \(String(cString: strerror(errno)))")
        }
        return fd
    }

    /// The samples of a text exposition, by series (`name{labels}`).
    static func samples(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    /// A DEALER that says nothing first and sends a message of an unknown protocol version.
    static func sendNonsense(to endpoint: String) throws {
        let context = zmq_ctx_new()
        defer { zmq_ctx_term(context) }
        guard let socket = zmq_socket(context, ZMQ_DEALER) else { throw ScrapeError.failed("zmq_socket") }
        defer { zmq_close(socket) }
        var linger: Int32 = 2_000
        zmq_setsockopt(socket, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
        guard zmq_connect(socket, endpoint) == 0 else { throw ScrapeError.failed("zmq_connect") }
        let frames = [Data("swell/99".utf8), Data("HELLO".utf8), Data("{}".utf8)]
        for (i, frame) in frames.enumerated() {
            _ = frame.withUnsafeBytes { zmq_send(socket, $0.baseAddress, $0.count, i < frames.count - 1 ? ZMQ_SNDMORE : 0) }
        }
    }

    enum ScrapeError: Error { case failed(String) }
}
