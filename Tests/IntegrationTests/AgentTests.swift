import Foundation
import Testing
import SwellTestSupport

/// The simulated provider of examples/agents, run for one test: it counts the calls in flight
/// and answers 429 beyond its caps.
final class FakeProvider: @unchecked Sendable {
    // @unchecked: used from one test task at a time.
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/agents").path
    static var agent: String { examples + "/fake-agent" }

    let server: Background
    let url: String

    init(in scratch: Scratch, concurrent: Int, burst: Int = 0, latency: Double, retryAfter: Int = 2) async throws {
        let portFile = scratch.path + "/provider.port"
        server = try Background(Self.examples + "/fake-provider",
                                ["--port-file", portFile, "--concurrent", String(concurrent), "--burst", String(burst),
                                 "--latency", String(latency), "--retry-after", String(retryAfter), "--idle-exit", "300"],
                                log: scratch.path + "/provider.log", name: "provider")
        var port = ""
        _ = await eventually(.seconds(15)) {
            port = scratch.read("provider.port").trimmingCharacters(in: .whitespacesAndNewlines)
            return !port.isEmpty
        }
        url = "http://127.0.0.1:\(port)"
    }

    /// The body of GET `path`, over loopback.
    func get(_ path: String) async throws -> Data {
        let fetched = try await run("/usr/bin/env", ["python3", "-c",
            "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())",
            url + path], timeout: .seconds(20))
        return Data(fetched.stdout.utf8)
    }

    /// GET /stats.
    func stats() async throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: try await get("/stats")) as? [String: Any] ?? [:]
    }

    /// GET /events: start, end and limited, with their times.
    func events() async throws -> [(time: Double, kind: String)] {
        String(decoding: try await get("/events"), as: UTF8.self).split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let time = object["t"] as? Double, let kind = object["kind"] as? String else { return nil }
            return (time, kind)
        }
    }

    func stop() { server.stop() }
}

/// Agent workloads across a loopback cluster: named limits hold across nodes, rate-limited
/// attempts wait instead of failing, and leases survive lost nodes and a restarted coordinator.
@Suite(.serialized) struct AgentTests {
    /// A plan of `count` agent tasks that use the limit `api`.
    static func plan(count: Int, limit: String, provider: FakeProvider, extra: String = "", think: Double? = nil) -> String {
        let items = (0..<count).map { String(format: "t%03d", $0) }.joined(separator: ", ")
        let thinking = think.map { " --think \($0)" } ?? ""
        return """
            name: agents
            limits:
              api: \(limit)
            stages:
              - id: review
                partition: {items: [\(items)]}
                run: \(FakeProvider.agent)\(thinking) -p review-{scope}
                uses: [api]
                pacing: rolling
                expect: {non-empty: true, match: '^## Report'}
                env: {FAKE_PROVIDER: '\(provider.url)'}
            \(extra)
            """
    }

    @Test func aLimitHoldsAcrossTenNodesAndTheOutputIsCompleteAndInOrder() async throws {
        let work = Scratch()
        defer { work.remove() }
        let provider = try await FakeProvider(in: work, concurrent: 8, latency: 0.2)
        defer { provider.stop() }
        let cluster = try await LocalCluster(nodes: 10, slots: 10, workdir: work.path)
        defer { cluster.stop() }
        let planFile = work.write("agents.yaml", Self.plan(count: 100, limit: "{concurrent: 8}", provider: provider))
        let result = try await swell(["run", planFile, "--coordinator", cluster.endpoint], timeout: .seconds(300))
        #expect(result.status == 0, "\(result.stderr)")
        let stats = try await provider.stats()
        #expect(stats["max_in_flight"] as? Int ?? 99 <= 8, "\(stats)")
        #expect(stats["limited"] as? Int == 0, "\(stats)")
        #expect(stats["accepted"] as? Int == 100, "\(stats)")
        let tasks = result.stdout.components(separatedBy: "- Task: ").dropFirst().map { $0.prefix(11) }
        #expect(tasks == (0..<100).map { "review-" + String(format: "t%03d", $0) }.map { Substring($0) }, "\(result.stdout.prefix(500))")
    }

    @Test func rateLimitedAttemptsWaitAsAPoolAndUseNoRetries() async throws {
        let work = Scratch()
        defer { work.remove() }
        // The plan allows 8 at once; the provider only 5, and says to come back in 2 s.
        let provider = try await FakeProvider(in: work, concurrent: 5, latency: 0.4, retryAfter: 2)
        defer { provider.stop() }
        let cluster = try await LocalCluster(nodes: 3, slots: 10, workdir: work.path)
        defer { cluster.stop() }
        let rateLimit = "    retries: 0\n    rate-limit: {exit-codes: [75], retry-after: 'retry-after: (\\d+)', backoff: 1s}"
        let planFile = work.write("agents.yaml", Self.plan(count: 40, limit: "{concurrent: 8}", provider: provider, extra: rateLimit))
        let result = try await swell(["run", planFile, "--coordinator", cluster.endpoint, "--json"], timeout: .seconds(300))
        #expect(result.status == 0, "\(result.stderr)")
        let stats = try await provider.stats()
        let limited = stats["limited"] as? Int ?? 0
        #expect(limited > 0, "the provider's cap was never reached: \(stats)")
        #expect(stats["accepted"] as? Int == 40, "\(stats)")
        #expect(result.stderr.contains("new starts wait until"), "\(result.stderr)")
        // With `retries: 0`, a rate-limited attempt that counted as a failure would fail the run.
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(json?["status"] as? String == "succeeded")
        // After a 429 the pool pauses: no call starts from 1 s to 1.8 s after one (the wait is
        // 2 s from when the coordinator heard of it); a burst of retries would.
        let events = try await provider.events()
        let refusals = events.filter { $0.kind == "limited" }.map(\.time)
        let starts = events.filter { $0.kind == "start" }.map(\.time)
        for refusal in refusals {
            let during = starts.filter { $0 > refusal + 1.0 && $0 < refusal + 1.8 }
            #expect(during.isEmpty, "calls started \(during.map { $0 - refusal }) s after a 429")
        }
    }

    @Test func startsPerMinuteHoldsAcrossNodes() async throws {
        let work = Scratch()
        defer { work.remove() }
        // A burst limiter of 2 calls a second: 60 starts a minute, spaced 1 s apart, never trip it.
        let provider = try await FakeProvider(in: work, concurrent: 0, burst: 2, latency: 0.1)
        defer { provider.stop() }
        let cluster = try await LocalCluster(nodes: 3, slots: 10, workdir: work.path)
        defer { cluster.stop() }
        let planFile = work.write("agents.yaml", Self.plan(count: 8, limit: "{starts-per-minute: 60}", provider: provider))
        let result = try await swell(["run", planFile, "--coordinator", cluster.endpoint], timeout: .seconds(300))
        #expect(result.status == 0, "\(result.stderr)")
        let stats = try await provider.stats()
        #expect(stats["limited"] as? Int == 0, "\(stats)")
        let starts = try await provider.events().filter { $0.kind == "start" }.map(\.time).sorted()
        #expect(starts.count == 8)
        let gaps = zip(starts.dropFirst(), starts).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 > 0.3 }, "\(gaps)")
        #expect(starts.last! - starts.first! > 5, "8 starts 1 s apart take 7 s: \(starts.last! - starts.first!)")
    }

    @Test func aKilledNodesLeasesAreHandedOnOnlyOnceItsCallsCannotBeAlive() async throws {
        let work = Scratch()
        defer { work.remove() }
        let provider = try await FakeProvider(in: work, concurrent: 4, latency: 3)
        defer { provider.stop() }
        let cluster = try await LocalCluster(nodes: 3, slots: 10, workdir: work.path, coordinatorArguments: ["--lease-hold", "2s"])
        defer { cluster.stop() }
        let planFile = work.write("agents.yaml", Self.plan(count: 12, limit: "{concurrent: 4}", provider: provider, extra: "    stop-grace: 1s"))
        let run = try BackgroundRun(["run", planFile, "--coordinator", cluster.endpoint], in: work)
        defer { run.terminate() }
        // Once 4 calls are in flight, a node holding leases is killed outright.
        var holder: String?
        #expect(await eventually(.seconds(60)) {
            let status = try? await statusJSON(cluster.endpoint)
            let nodes = status?["nodes"] as? [[String: Any]] ?? []
            holder = nodes.first { ($0["running"] as? Int ?? 0) > 0 }?["name"] as? String
            let stats = try? await provider.stats()
            return holder != nil && (stats?["in_flight"] as? Int ?? 0) == 4
        })
        let victim = try #require(holder)
        // `swell status` shows the limit's use: the run's pool (4 at once) holds all four.
        let limits = (try await statusJSON(cluster.endpoint))["limits"] as? [[String: Any]] ?? []
        let pool = limits.first { $0["name"] as? String == "api" && $0["run"] != nil }
        #expect(pool?["held"] as? Int == 4, "\(limits)")
        #expect(pool?["queued"] as? Int ?? 0 > 0, "\(limits)")
        cluster.node(victim).kill9()
        #expect(await run.wait(.seconds(240)) == 0, "\(run.stderr)")
        let stats = try await provider.stats()
        #expect(stats["max_in_flight"] as? Int ?? 99 <= 4, "\(stats)")
        #expect(stats["limited"] as? Int == 0, "a lease was handed on while the killed node's call was alive: \(stats)")
        #expect(cluster.coordinator.output.contains("is handed on"), "\(cluster.coordinator.output)")
    }

    @Test func aRestartedCoordinatorCountsTheLeasesItsJournalHolds() async throws {
        let work = Scratch()
        defer { work.remove() }
        let provider = try await FakeProvider(in: work, concurrent: 4, latency: 4)
        defer { provider.stop() }
        let cluster = try await LocalCluster(nodes: 2, slots: 10, workdir: work.path, port: freePort())
        defer { cluster.stop() }
        let planFile = work.write("agents.yaml", Self.plan(count: 12, limit: "{concurrent: 4}", provider: provider))
        let run = try BackgroundRun(["run", planFile, "--coordinator", cluster.endpoint], in: work)
        defer { run.terminate() }
        #expect(await eventually(.seconds(60)) { (try? await provider.stats())?["in_flight"] as? Int == 4 })
        cluster.coordinator.kill9()
        try await cluster.restartCoordinator()
        #expect(await run.wait(.seconds(240)) == 0, "\(run.stderr)")
        let stats = try await provider.stats()
        // Leases forgotten in the restart would let 4 more calls start beside the 4 still running.
        #expect(stats["max_in_flight"] as? Int ?? 99 <= 4, "\(stats)")
        #expect(stats["limited"] as? Int == 0, "\(stats)")
        #expect(stats["accepted"] as? Int == 12, "\(stats)")
    }

    @Test func aSpentBudgetStopsNewStartsAndTheRunContinuesWithALargerOneWithoutRunningATaskTwice() async throws {
        let work = Scratch()
        defer { work.remove() }
        let provider = try await FakeProvider(in: work, concurrent: 0, latency: 0.3)
        defer { provider.stop() }
        let cluster = try await LocalCluster(nodes: 3, slots: 10, workdir: work.path)
        defer { cluster.stop() }
        // Each call costs 0.01; the budget is 0.05, and at most 2 run at once.
        let plan = """
            name: budget
            budget: {cost: 0.05}
            limits: {api: {concurrent: 2}}
            stages:
              - id: review
                partition: {items: [\((0..<12).map { "s\($0)" }.joined(separator: ", "))]}
                run: \(FakeProvider.agent) --output-format json -p review-{scope}
                uses: [api]
                cost: {json: total_cost_usd}
                expect: {format: json}
                env: {FAKE_PROVIDER: '\(provider.url)'}
            """
        let planFile = work.write("budget.yaml", plan)
        let first = try await swell(["run", planFile, "--coordinator", cluster.endpoint, "--json"], timeout: .seconds(300))
        #expect(first.status == 1, "\(first.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any]
        #expect(json?["status"] as? String == "budget-exhausted", "\(first.stdout)")
        #expect(first.stderr.contains("budget exhausted: cost"), "\(first.stderr)")
        let run = try #require(json?["run"] as? String)
        let spentCalls = try await provider.stats()["accepted"] as? Int ?? 0
        // Reports of the 2 that ran when it was spent are kept; nothing started after.
        #expect((5...7).contains(spentCalls), "\(spentCalls) calls for a budget of 5")
        // Without a larger budget it is refused; with one it finishes every other task once.
        let refused = try await swell(["run", planFile, "--coordinator", cluster.endpoint, "--continue", run])
        #expect(refused.status == 2 && refused.stderr.contains("has spent its budget"), "\(refused.stderr)")
        let second = try await swell(["run", planFile, "--coordinator", cluster.endpoint, "--continue", run, "--budget", "cost=1"],
                                     timeout: .seconds(300))
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("\(spentCalls) of 12 task(s) already done are not run again"), "\(second.stderr)")
        let stats = try await provider.stats()
        #expect(stats["accepted"] as? Int == 12, "a task ran twice: \(stats)")
        #expect(second.stdout.components(separatedBy: "\"type\": \"result\"").count - 1 == 12, "\(second.stdout.prefix(300))")
    }

    @Test func emptyGarbledAndCrashedReportsAreRetriedThenFailedWithTheirReasonOnACluster() async throws {
        let work = Scratch()
        defer { work.remove() }
        let provider = try await FakeProvider(in: work, concurrent: 8, latency: 0.1)
        defer { provider.stop() }
        let cluster = try await LocalCluster(nodes: 3, slots: 10, workdir: work.path)
        defer { cluster.stop() }
        let planFile = work.write("agents.yaml", """
            name: misbehave
            stages:
              - id: review
                partition: {items: [good, empty, garbage, crash]}
                run: |
                  \(FakeProvider.agent) --output-format json -p review-{scope} --behave "$(case {scope} in good) echo ok;; *) echo {scope};; esac)"
                expect: {non-empty: true, format: json}
                retries: 1
                on-failure: continue
                env: {FAKE_PROVIDER: '\(provider.url)'}
            """)
        let joblog = work.path + "/joblog"
        let result = try await swell(["run", planFile, "--coordinator", cluster.endpoint, "--json", "--joblog", joblog], timeout: .seconds(300))
        #expect(result.status == 1, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let stage = try #require((json["stages"] as? [[String: Any]])?.first)
        #expect(stage["succeeded"] as? Int == 1 && stage["failed"] as? Int == 3, "\(stage)")
        let logs = try await swell(["logs", try #require(json["run"] as? String), "--coordinator", cluster.endpoint, "--json"])
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(logs.stdout.utf8)) as? [[String: Any]])
        let outcomes = Set(reports.map { report -> String in
            let how = report["error"] as? String ?? ((report["exitCode"] as? Int).map { $0 == 0 ? "ok" : "exit \($0)" } ?? "?")
            return "\(report["scope"] as? String ?? "?") \(report["attempt"] as? Int ?? 0): \(how)"
        })
        for attempt in [1, 2] {
            #expect(outcomes.contains("empty \(attempt): invalid report: empty report"), "\(outcomes)")
            #expect(outcomes.contains("garbage \(attempt): invalid report: report is not valid JSON"), "\(outcomes)")
            // Its shell reports the SIGSEGV as 128 + 11.
            #expect(outcomes.contains("crash \(attempt): exit 139"), "\(outcomes)")
        }
        #expect(outcomes.contains("good 1: ok"), "\(outcomes)")
        // The joblog has every attempt: 1 good, 4 invalid reports with Exitval -1, 2 crashes.
        let lines = (try String(contentsOfFile: joblog, encoding: .utf8)).split(separator: "\n").dropFirst()
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        #expect(lines.count == 7, "\(lines)")
        #expect(lines.filter { $0[6] == "-1" }.count == 4, "\(lines)")
        #expect(lines.filter { $0[6] == "139" }.count == 2, "\(lines)")
    }

    @Test func aCancelledRunContinuedOnItsCoordinatorKeepsItsLeasesCountedOnce() async throws {
        let work = Scratch()
        defer { work.remove() }
        let cluster = try await LocalCluster(nodes: 2, slots: 10, workdir: work.path, coordinatorArguments: ["--limit", "x=1"])
        defer { cluster.stop() }
        let planFile = work.write("hog.yaml", """
            name: hog
            limits: {x: {concurrent: 1}}
            stages:
              - id: a
                partition: {items: [t0, t1, t2, t3, t4, t5]}
                run: echo {scope} >> started; sleep 0.3; echo {scope}
                uses: [x]
                stop-grace: 0
            """)
        let run = try BackgroundRun(["run", planFile, "--coordinator", cluster.endpoint], in: work)
        defer { run.terminate() }
        #expect(await eventually(.seconds(30)) { !work.read("started").isEmpty && run.runID != nil })
        let id = try #require(run.runID)
        let cancelled = try await swell(["cancel", id, "--coordinator", cluster.endpoint])
        #expect(cancelled.status == 0, "\(cancelled.stderr)")
        _ = await run.wait()
        // Continued at once, while the cancelled attempt's lease may still be held: it is counted
        // once, handed on, and the run finishes.
        let continued = try await swell(["run", planFile, "--coordinator", cluster.endpoint, "--continue", id], timeout: .seconds(90))
        #expect(continued.status == 0, "\(continued.stderr)")
        let limits = (try await statusJSON(cluster.endpoint))["limits"] as? [[String: Any]] ?? []
        #expect(limits.allSatisfy { ($0["held"] as? Int) == 0 }, "\(limits)")
        // And the limit is free for the next run.
        let next = try await swell(["run", planFile, "--coordinator", cluster.endpoint], timeout: .seconds(60))
        #expect(next.status == 0, "\(next.stderr)")
    }

    @Test func retryFailedOnTheSameNodesRunsTasksThatWereCutShortInTheirRetries() async throws {
        let work = Scratch()
        defer { work.remove() }
        let cluster = try await LocalCluster(nodes: 2, slots: 10, workdir: work.path)
        defer { cluster.stop() }
        // x0 fails for good after 3 attempts, at 2.4 s; the others are then in their third attempt.
        let planFile = work.write("cut.yaml", """
            name: cut
            stages:
              - id: review
                partition: {items: [x0, x1, x2, x3, x4, x5]}
                run: |
                  if [ {scope} = x0 ]; then sleep 0.8; [ -e fixed ] || exit 3; echo fixed; exit 0; fi
                  sleep 1
                  [ -e fixed ] || exit 4
                  echo ok {scope}
                retries: 2
              - id: report
                needs: [review]
                run: wc -l
            """)
        let first = try await swell(["run", planFile, "--coordinator", cluster.endpoint, "--json"], timeout: .seconds(60))
        #expect(first.status == 1, "\(first.stderr)")
        let run = try #require((try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])?["run"] as? String)
        _ = work.write("fixed", "")
        let again = try await swell(["run", planFile, "--coordinator", cluster.endpoint, "--retry-failed", run], timeout: .seconds(60))
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.trimmingCharacters(in: .whitespaces) == "6\n", "\(again.stdout)")
    }
}
