import CZeroMQ
import Foundation
import GRDB
import SwellProtocol
import SwellWire
import Testing
import SwellTestSupport

/// Faults for real: nodes and the coordinator killed, frozen and resumed while runs go on.
@Suite(.serialized) struct FaultTests {
    func items(_ count: Int, _ prefix: String) -> [String] { (0..<count).map { String(format: "\(prefix)%02d", $0) } }

    func plan(_ work: Scratch, name: String, scopes: [String], width: Int = 4, body: String, extra: String = "") -> String {
        work.write("\(name).yaml", """
            name: \(name)
            width: \(width)
            stages:
              - id: work
                partition: { items: [\(scopes.joined(separator: ", "))] }
            \(extra.isEmpty ? "" : extra.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n") + "\n")    run: |
            \(LedgerEntry.wrap(body).split(separator: "\n").map { "      \($0)" }.joined(separator: "\n"))
            """)
    }

    /// Final (succeeded) reports per scope, from the coordinator's journal.
    func succeeded(_ run: String, _ endpoint: String) async throws -> [[String: Any]] {
        let logs = try await swell(["logs", run, "--coordinator", endpoint, "--json"])
        let reports = try JSONSerialization.jsonObject(with: Data(logs.stdout.utf8)) as? [[String: Any]] ?? []
        return reports.filter { $0["succeeded"] as? Bool == true }
    }

    @Test func killingANodeMidWaveLosesNothingAndItsTasksRestartWithinFiveSeconds() async throws {
        let work = Scratch()
        defer { work.remove() }
        let cluster = try await LocalCluster(nodes: 3, slots: 4, workdir: work.path)
        defer { cluster.stop() }
        let scopes = items(36, "k")
        let path = plan(work, name: "kill-node", scopes: scopes, body: "sleep 1; echo {scope}")
        let run = try BackgroundRun(["run", path, "--coordinator", cluster.endpoint], in: work)
        #expect(await eventually { LedgerEntry.read(work.read("ledger")).contains { $0.event == "start" && $0.node == "n2" } })
        let killedAt = Date().timeIntervalSince1970
        cluster.node("n2").kill9()
        #expect(await run.wait() == 0, "\(run.stderr)")
        #expect(run.stdout == scopes.map { "\($0)\n" }.joined())

        let ledger = LedgerEntry.read(work.read("ledger"))
        let ended = Set(ledger.filter { $0.event == "end" && $0.node == "n2" && $0.time <= killedAt }.map(\.scope))
        let inFlight = ledger.filter { $0.event == "start" && $0.node == "n2" && $0.time <= killedAt && !ended.contains($0.scope) }.map(\.scope)
        #expect(!inFlight.isEmpty)
        var delays: [Double] = []
        for scope in inFlight {
            let restart = ledger.filter { $0.event == "start" && $0.scope == scope && $0.node != "n2" && $0.time > killedAt }
                .map(\.time).min()
            #expect(restart != nil, "\(scope), in flight on the killed node, never ran elsewhere")
            if let restart { delays.append(restart - killedAt) }
        }
        let worst = delays.max() ?? .infinity
        print("kill -9 of a node: its \(inFlight.count) task(s) in flight restarted elsewhere after \(String(format: "%.2f", delays.min() ?? 0))-\(String(format: "%.2f", worst)) s")
        #expect(worst <= 5, "the killed node's tasks restarted after \(worst) s")
        if worst > 5 {
            let relevant = ledger.filter { inFlight.contains($0.scope) }
                .map { "\($0.event) \($0.scope) \($0.node) \($0.attempt) +\(String(format: "%.2f", $0.time - killedAt))" }
            print("ledger of the tasks in flight:\n" + relevant.joined(separator: "\n"))
            print("coordinator:\n" + cluster.coordinator.output)
            for node in cluster.nodes where node.name != "n2" { print("\(node.name):\n" + node.output) }
        }

        let runID = try #require(run.runID)
        let reports = try await succeeded(runID, cluster.endpoint)
        #expect(reports.compactMap { $0["scope"] as? String } == scopes, "each scope reported exactly once, in order")
        #expect(!reports.contains { inFlight.contains($0["scope"] as? String ?? "") && $0["node"] as? String == "n2" })
    }

    @Test func killingTheCoordinatorMidRunLosesNothingAndRunsNoFinishedTaskAgain() async throws {
        let work = Scratch()
        defer { work.remove() }
        let cluster = try await LocalCluster(nodes: 2, slots: 4, workdir: work.path, port: try freePort())
        defer { cluster.stop() }
        let scopes = items(24, "c")
        let path = plan(work, name: "kill-coordinator", scopes: scopes, body: "sleep 0.6; echo {scope}")
        let run = try BackgroundRun(["run", path, "--coordinator", cluster.endpoint], in: work)
        #expect(await eventually { LedgerEntry.read(work.read("ledger")).filter { $0.event == "end" }.count >= 6 })
        let killedAt = Date().timeIntervalSince1970
        cluster.coordinator.kill9()
        try await cluster.restartCoordinator()
        #expect(await run.wait() == 0, "\(run.stderr)")
        #expect(run.stdout == scopes.map { "\($0)\n" }.joined())

        let ledger = LedgerEntry.read(work.read("ledger"))
        let finishedBefore = Set(ledger.filter { $0.event == "end" && $0.time < killedAt }.map(\.scope))
        #expect(!finishedBefore.isEmpty)
        let startedAfter = ledger.filter { $0.event == "start" && $0.time > killedAt }.map(\.scope)
        #expect(Set(startedAfter).isDisjoint(with: finishedBefore), "a task that had finished before the crash ran again")
        // Work in flight was adopted rather than run again: every scope started once.
        let starts = Dictionary(grouping: ledger.filter { $0.event == "start" }, by: \.scope).mapValues(\.count)
        #expect(starts.values.allSatisfy { $0 == 1 }, "tasks started more than once: \(starts.filter { $0.value > 1 })")
        #expect(cluster.coordinator.output.contains("resumed"))
    }

    @Test func aCoordinatorStoppedForEightSecondsCountsNoNodeDownAndRunsNoTaskTwice() async throws {
        let work = Scratch()
        defer { work.remove() }
        let cluster = try await LocalCluster(nodes: 3, slots: 4, workdir: work.path)
        defer {
            kill(cluster.coordinator.pid, SIGCONT)
            cluster.stop()
        }
        let scopes = items(36, "p")
        let path = plan(work, name: "pause", scopes: scopes, body: "sleep 1; echo {scope}")
        let run = try BackgroundRun(["run", path, "--coordinator", cluster.endpoint], in: work)
        #expect(await eventually { LedgerEntry.read(work.read("ledger")).filter { $0.event == "end" }.count >= 4 })
        kill(cluster.coordinator.pid, SIGSTOP)
        // The fault itself: the coordinator stands still for 8 s, as under SIGSTOP or a host
        // that stops scheduling it; its nodes go on, finish their tasks and keep their reports.
        try await Task.sleep(for: .seconds(8))
        kill(cluster.coordinator.pid, SIGCONT)
        #expect(await run.wait() == 0, "\(run.stderr)")
        #expect(run.stdout == scopes.map { "\($0)\n" }.joined())
        #expect(!cluster.coordinator.output.contains(" is down"), "\(cluster.coordinator.output)")
        #expect(cluster.coordinator.output.contains("did not run for"))
        let starts = Dictionary(grouping: LedgerEntry.read(work.read("ledger")).filter { $0.event == "start" }, by: \.scope)
            .mapValues(\.count)
        #expect(starts.count == scopes.count)
        #expect(starts.values.allSatisfy { $0 == 1 }, "tasks started more than once: \(starts.filter { $0.value > 1 })")
        let runID = try #require(run.runID)
        #expect(try await succeeded(runID, cluster.endpoint).compactMap { $0["scope"] as? String } == scopes)
    }

    @Test func aNodeThatJoinedJustBeforeTheCoordinatorsLoopStalledHearsItsHeartbeats() async throws {
        // The node's HELLO, then at once a run that the loop stands still on: the heartbeats,
        // sent on their own timer, must reach that node all the same, or it thinks the
        // coordinator lost and joins again.
        let stall = try await LoopStall()
        defer { stall.end() }
        try stall.hello()
        // Joined: the batch with its HELLO is over.
        #expect(stall.next(.seconds(5)) { if case .welcome = $0 { true } else { false } })
        try stall.submit()
        var heartbeats = 0
        let three = stall.next(.seconds(3)) { message in
            if case .heartbeat = message { heartbeats += 1 }
            return heartbeats == 3
        }
        #expect(three, "heartbeats while the loop stood still: \(heartbeats)")
        try await stall.release()
    }

    @Test func aNodeThatJoinedWhileTheCoordinatorsLoopStalledIsNotCountedDown() async throws {
        // The node says HELLO and then heartbeats while the loop stands still: once it goes on,
        // the node is judged by its newest heartbeat, not by its HELLO, whatever ticks came
        // between them.
        let stall = try await LoopStall()
        defer { stall.end() }
        try stall.submit()
        // The fault: the loop takes the run and stands still on it (nothing outside shows when
        // it has, so the node waits a little), then the node's HELLO and 2 s of heartbeats
        // (longer than --down-grace and the missed ones) that the loop does not get to.
        try await Task.sleep(for: .milliseconds(200))
        try stall.hello()
        for i in 0..<10 {
            try RawZMQ.send(stall.node, WireCodec.encode(.heartbeat(Heartbeat(id: UInt64(2 + i), running: 0))))
            try await Task.sleep(for: .milliseconds(200))
        }
        // Heartbeats go on until the log is read: a node that went quiet now would be down in
        // its own right a second later.
        let node = UnsafeSendable(stall.node)
        let beating = Task {
            var id: UInt64 = 100
            while !Task.isCancelled {
                id += 1
                try? RawZMQ.send(node.value, WireCodec.encode(.heartbeat(Heartbeat(id: id, running: 0))))
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        try await stall.release()
        let output = stall.cluster.coordinator.output
        beating.cancel()
        await beating.value
        #expect(output.contains("node n1 joined"), "\(output)")
        #expect(!output.contains(" is down"), "\(output)")
    }

    @Test func aFrozenNodeIsCountedDownItsWorkMovesAndItComesBackForNewWork() async throws {
        let work = Scratch()
        defer { work.remove() }
        let cluster = try await LocalCluster(nodes: 3, slots: 4, workdir: work.path)
        defer {
            kill(cluster.node("n2").pid, SIGCONT)
            cluster.stop()
        }
        let scopes = items(48, "f")
        let path = plan(work, name: "freeze", scopes: scopes, body: "sleep 1.5; echo {scope}")
        let run = try BackgroundRun(["run", path, "--coordinator", cluster.endpoint], in: work)
        #expect(await eventually { LedgerEntry.read(work.read("ledger")).contains { $0.event == "start" && $0.node == "n2" } })
        let frozenAt = Date().timeIntervalSince1970
        kill(cluster.node("n2").pid, SIGSTOP)
        #expect(await eventually(.seconds(20)) { cluster.coordinator.output.contains("node n2 is down") })
        let inFlight = Set(LedgerEntry.read(work.read("ledger")).filter { $0.event == "start" && $0.node == "n2" && $0.time <= frozenAt }.map(\.scope))
        #expect(await eventually(.seconds(20)) {
            let elsewhere = Set(LedgerEntry.read(work.read("ledger")).filter { $0.event == "start" && $0.node != "n2" && $0.time > frozenAt }.map(\.scope))
            return inFlight.isSubset(of: elsewhere)
        }, "the frozen node's tasks did not run elsewhere")
        kill(cluster.node("n2").pid, SIGCONT)
        #expect(await eventually(.seconds(20)) { cluster.coordinator.output.contains("node n2 joined with 4 slot(s) (membership 2)") })
        #expect(await run.wait() == 0, "\(run.stderr)")
        #expect(run.stdout == scopes.map { "\($0)\n" }.joined())

        // Its late reports were ignored: every scope has one final report, none from the frozen attempts.
        let runID = try #require(run.runID)
        let reports = try await succeeded(runID, cluster.endpoint)
        #expect(reports.compactMap { $0["scope"] as? String } == scopes)
        #expect(!reports.contains { inFlight.contains($0["scope"] as? String ?? "") && $0["node"] as? String == "n2" && $0["attempt"] as? Int == 1 })
        let dropped = try await statusJSON(cluster.endpoint)["dropped"] as? [String: Any]
        #expect((dropped?["duplicates"] as? Int ?? 0) >= 1, "no late report was seen and dropped: \(dropped ?? [:])")

        // And it takes new work.
        let next = plan(work, name: "after", scopes: items(6, "a"), body: "echo {scope}")
        let after = try await swell(["run", next, "--coordinator", cluster.endpoint, "--json"])
        #expect(after.status == 0)
        let afterID = try #require((try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Any])?["run"] as? String)
        let nodes = Set(try await succeeded(afterID, cluster.endpoint).compactMap { $0["node"] as? String })
        #expect(nodes.contains("n2"), "the node that came back got no new work: \(nodes)")
    }

    @Test func aFailedTaskIsRetriedOnAnotherNode() async throws {
        let work = Scratch()
        defer { work.remove() }
        let cluster = try await LocalCluster(nodes: 2, slots: 2, workdir: work.path)
        defer { cluster.stop() }
        let path = work.write("retry.yaml", """
            name: retry
            stages:
              - id: flaky
                partition: { items: [only] }
                retries: 1
                run: |
                  if [ "$SWELL_ATTEMPT" = 1 ]; then echo "first attempt fails" >&2; exit 1; fi
                  echo "{scope} ok"
            """)
        let result = try await swell(["run", path, "--coordinator", cluster.endpoint, "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(((object["outputs"] as? [[String: Any]])?.first?["output"] as? String) == "only ok\n")
        let logs = try await swell(["logs", object["run"] as! String, "--coordinator", cluster.endpoint, "--json"])
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(logs.stdout.utf8)) as? [[String: Any]])
        #expect(reports.map { $0["attempt"] as? Int } == [1, 2])
        #expect(reports[0]["succeeded"] as? Bool == false)
        #expect(reports[1]["succeeded"] as? Bool == true)
        #expect(reports[0]["node"] as? String != reports[1]["node"] as? String, "the retry ran on the node where it failed")
    }

    @Test func stopCancelsTheRestAndContinueGoesOn() async throws {
        let work = Scratch()
        defer { work.remove() }
        let cluster = try await LocalCluster(nodes: 2, slots: 4, workdir: work.path)
        defer { cluster.stop() }
        let marker = try work.sleepUnderOwnName("st")
        let scopes = items(12, "s")
        let body = "if [ {scope} = s05 ]; then exit 3; fi; ./\(marker) 20; echo {scope}"
        let stop = try await swell(["run", plan(work, name: "stop", scopes: scopes, body: body), "--coordinator", cluster.endpoint])
        #expect(stop.status == 1)
        #expect(stop.stderr.contains("work[5] s05 failed (exit 3)"))
        #expect(await eventually(.seconds(2)) { countProcesses(named: marker) == 0 }, "tasks of the stopped run still run")

        let quick = "if [ {scope} = s05 ]; then exit 3; fi; echo {scope}"
        let go = try await swell(["run", plan(work, name: "continue", scopes: scopes, body: quick, extra: "on-failure: continue"),
                                  "--coordinator", cluster.endpoint])
        #expect(go.status == 1)
        #expect(go.stdout == scopes.filter { $0 != "s05" }.map { "\($0)\n" }.joined())
        #expect(go.stderr.contains("failed tasks: 1 of 12 in work"))
    }

    @Test func aTimedOutTaskLeavesNoProcessBehindOnTheNode() async throws {
        let work = Scratch()
        defer { work.remove() }
        let cluster = try await LocalCluster(nodes: 1, slots: 4, workdir: work.path)
        defer { cluster.stop() }
        let path = work.write("timeout.yaml", """
            name: timeout
            stages:
              - id: stuck
                partition: { items: [a, b, c] }
                timeout: 1s
                on-failure: continue
                run: sleep 300 & echo $! >> pids; sleep 300
            """)
        let result = try await swell(["run", path, "--coordinator", cluster.endpoint])
        #expect(result.status == 1)
        #expect(result.stderr.contains("failed (timed out)"))
        let pids = work.read("pids").split(separator: "\n").compactMap { Int32($0) }
        #expect(pids.count == 3)
        #expect(await eventually(.seconds(5)) { pids.allSatisfy(isGone) }, "background grandchildren survived their task's timeout")
    }

    @Test func cancelStopsEveryTaskOnEveryNodeWithinTwoSeconds() async throws {
        let work = Scratch()
        defer { work.remove() }
        let cluster = try await LocalCluster(nodes: 2, slots: 4, workdir: work.path)
        defer { cluster.stop() }
        let marker = try work.sleepUnderOwnName("cn")
        let path = work.write("cancel.yaml", """
            name: cancel
            stages:
              - id: long
                partition: { items: [a, b, c, d, e, f, g, h] }
                width: 4
                run: ./\(marker) 60
            """)
        let run = try BackgroundRun(["run", path, "--coordinator", cluster.endpoint], in: work)
        #expect(await eventually { countProcesses(named: marker) == 8 })
        let runID = try #require(run.runID)
        let started = ContinuousClock.now
        let cancel = try await swell(["cancel", runID, "--coordinator", cluster.endpoint])
        #expect(cancel.status == 0, "\(cancel.stderr)")
        #expect(cancel.stderr.contains("run \(runID) cancelled"))
        #expect(await eventually(.seconds(2)) { countProcesses(named: marker) == 0 })
        let elapsed = ContinuousClock.now - started
        print("swell cancel: no task process left after \(elapsed)")
        #expect(elapsed <= .seconds(2))
        #expect(await run.wait() == 1)
        #expect(run.stderr.contains("run \(runID) cancelled"))
        // Cancelled already: said so, exit 1, as for any finished run.
        let twice = try await swell(["cancel", runID, "--coordinator", cluster.endpoint])
        #expect(twice.status == 1)
        #expect(twice.stderr.contains("run \(runID) had already finished (cancelled)"), "\(twice.stderr)")
        let again = try await swell(["cancel", "no-such-run", "--coordinator", cluster.endpoint])
        #expect(again.status == 2)
        // After a restart the run is not in memory, but the journal still knows it ended.
        cluster.coordinator.stop()
        try await cluster.restartCoordinator()
        let afterRestart = try await swell(["cancel", runID, "--coordinator", cluster.endpoint])
        #expect(afterRestart.status == 1)
        #expect(afterRestart.stderr.contains("run \(runID) had already finished (cancelled)"), "\(afterRestart.stderr)")
    }

    /// A node that is paused when its run is cancelled confirms nothing by being counted down
    /// (its tasks still run): `swell cancel` answers when its wait is over, saying which node did
    /// not confirm, and the node stops the tasks once it runs again.
    @Test func cancelDoesNotTakeAPausedNodeForOneThatStoppedItsTasks() async throws {
        let work = Scratch()
        defer { work.remove() }
        let cluster = try await LocalCluster(nodes: 2, slots: 4, workdir: work.path)
        defer { cluster.stop() }
        let marker = try work.sleepUnderOwnName("cp")
        let path = work.write("cancel.yaml", """
            name: cancel-paused
            stages:
              - id: long
                partition: { items: [a, b, c, d, e, f, g, h] }
                width: 4
                stop-grace: 0s
                run: ./\(marker) 60
            """)
        let run = try BackgroundRun(["run", path, "--coordinator", cluster.endpoint], in: work)
        defer { run.kill9() }
        #expect(await eventually { countProcesses(named: marker) == 8 })
        let runID = try #require(run.runID)
        let paused = cluster.nodes[0]
        kill(paused.pid, SIGSTOP)
        defer { kill(paused.pid, SIGCONT) }
        let cancel = try await swell(["cancel", runID, "--coordinator", cluster.endpoint])
        #expect(cancel.status == 0, "\(cancel.stderr)")
        #expect(cancel.stderr.contains("no confirmation from n1 that the run's tasks stopped"), "\(cancel.stderr)")
        #expect(cancel.stderr.contains("run \(runID) cancelled; not every node confirmed that its tasks stopped"), "\(cancel.stderr)")
        // The paused node's four tasks still run; the other node's have stopped.
        #expect(countProcesses(named: marker) == 4)
        kill(paused.pid, SIGCONT)
        #expect(await eventually(.seconds(15)) { countProcesses(named: marker) == 0 })
    }
}

/// After a restart, `swell status` still lists the runs the journal has, with their counts.
@Suite(.serialized) struct StatusAfterRestartTests {
    @Test func statusListsTheJournalsRunsAfterARestart() async throws {
        let work = Scratch()
        defer { work.remove() }
        let cluster = try await LocalCluster(nodes: 1, workdir: work.path, port: try freePort())
        defer { cluster.stop() }
        let plan = work.write("plan.yaml", """
            name: counted
            stages:
              - id: work
                partition: { items: [a, b, c] }
                run: '[ {scope} != c ]'
                on-failure: continue
              - id: after
                run: 'true'
            """)
        let ran = try await swell(["run", plan, "--coordinator", cluster.endpoint, "--json"])
        #expect(ran.status == 1)
        cluster.coordinator.stop()
        try await cluster.restartCoordinator()
        let runs = try #require(try await statusJSON(cluster.endpoint)["runs"] as? [[String: Any]])
        let run = try #require(runs.first { $0["name"] as? String == "counted" }, "\(runs)")
        #expect(run["status"] as? String == "failed")
        #expect(run["tasks"] as? Int == 4)
        #expect(run["succeeded"] as? Int == 3)
        #expect(run["failed"] as? Int == 1)
        let text = try await swell(["status", "--coordinator", cluster.endpoint])
        #expect(!text.stdout.contains("no runs"), "\(text.stdout)")
    }
}

@Suite(.serialized) struct EscapeTests {
    /// What a task writes: its escapee's pid (a process that left the task's group with
    /// setsid), then sleeps, so that the test can see both.
    static let escaping = "setsid sh -c 'echo $$ > escaped-{scope}.pid; exec sleep 300' > /dev/null 2>&1 & echo $$ > task-{scope}.pid; "
        + "while [ ! -s escaped-{scope}.pid ]; do sleep 0.01; done; "

    func pids(_ work: Scratch, _ prefix: String, _ scopes: [String]) -> [Int32] {
        scopes.compactMap { Int32(work.read("\(prefix)-\($0).pid").trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// A task that calls setsid escapes neither its run's end nor its timeout, embedded.
    @Test func aProcessThatLeftItsTasksGroupEndsWithTheTask() async throws {
        let work = Scratch()
        defer { work.remove() }
        let plan = work.write("plan.yaml", """
            name: escape
            stages:
              - id: ends
                partition: { items: [a] }
                run: "\(Self.escaping)echo done"
              - id: times-out
                partition: { items: [b] }
                run: "\(Self.escaping)sleep 300"
                timeout: 500ms
                stop-grace: 0
                on-failure: continue
            """)
        let ran = try await swell(["run", plan, "--state", work.path + "/state"], in: work.path)
        #expect(ran.status == 1, "\(ran.stderr)")
        let escaped = pids(work, "escaped", ["a", "b"])
        #expect(escaped.count == 2, "\(ran.stderr)")
        #expect(await eventually(.seconds(10)) { escaped.allSatisfy(isGone) }, "escaped processes \(escaped) outlived their tasks")
    }

    /// An escapee of an escapee of an escapee (each in a session of its own) is ended too, even
    /// when the run ends at once after its task.
    @Test func nestedEscapeesEndWithAnEmbeddedRun() async throws {
        let work = Scratch()
        defer { work.remove() }
        let plan = work.write("plan.yaml", """
            name: nested
            stages:
              - id: a
                run: "setsid sh -c 'setsid sh -c \\"setsid sh -c \\\\\\"echo \\\\\\\\$\\\\\\\\$ > deep.pid; exec sleep 300\\\\\\" & wait\\" & wait' & while [ ! -s deep.pid ]; do sleep 0.01; done; echo hi"
            """)
        let ran = try await swell(["run", plan, "--state", work.path + "/state"], in: work.path)
        #expect(ran.status == 0, "\(ran.stderr)")
        let deep = try #require(Int32(work.read("deep.pid").trimmingCharacters(in: .whitespacesAndNewlines)), "\(ran.stderr)")
        #expect(await eventually(.seconds(10)) { isGone(deep) }, "the innermost escapee \(deep) outlived the run")
    }

    /// `kill -9` of an embedded `swell run` leaves none of its tasks running, nor what they
    /// started with setsid.
    @Test func killingAnEmbeddedRunOutrightEndsItsTasks() async throws {
        let work = Scratch()
        defer { work.remove() }
        let plan = work.write("plan.yaml", """
            name: killed
            stages:
              - id: long
                partition: { items: [a, b] }
                run: "\(Self.escaping)sleep 300"
            """)
        let run = try BackgroundRun(["run", plan, "--state", work.path + "/state"], in: work)
        #expect(await eventually(.seconds(20)) { pids(work, "escaped", ["a", "b"]).count == 2 && pids(work, "task", ["a", "b"]).count == 2 })
        run.kill9()
        let all = pids(work, "escaped", ["a", "b"]) + pids(work, "task", ["a", "b"])
        #expect(await eventually(.seconds(10)) { all.allSatisfy(isGone) }, "processes \(all) outlived their swell run")
    }

    /// The same for a node killed outright: its tasks and their escapees end with it.
    @Test func killingANodeOutrightEndsItsTasks() async throws {
        let work = Scratch()
        defer { work.remove() }
        let cluster = try await LocalCluster(nodes: 1, workdir: work.path)
        defer { cluster.stop() }
        let plan = work.write("plan.yaml", """
            name: killed-node
            stages:
              - id: long
                partition: { items: [a, b] }
                run: "\(Self.escaping)sleep 300"
            """)
        let run = try BackgroundRun(["run", plan, "--coordinator", cluster.endpoint], in: work)
        defer { run.terminate() }
        #expect(await eventually(.seconds(20)) { pids(work, "escaped", ["a", "b"]).count == 2 && pids(work, "task", ["a", "b"]).count == 2 })
        cluster.node("n1").kill9()
        let all = pids(work, "escaped", ["a", "b"]) + pids(work, "task", ["a", "b"])
        #expect(await eventually(.seconds(10)) { all.allSatisfy(isGone) }, "processes \(all) outlived their node")
        _ = try await swell(["cancel", run.runID ?? "", "--coordinator", cluster.endpoint])
    }
}

/// True once the process is gone or a zombie.
func isGone(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return true }
    return stat[stat.index(close, offsetBy: 2)] == "Z"
}

/// A socket handed to one task at a time.
struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A coordinator whose loop stands still on its journal, held by the test, as it stands still
/// while a stage of a million scopes starts; a raw node and client speak to it.
final class LoopStall {
    let work = Scratch()
    let cluster: LocalCluster
    let journal: DatabaseQueue
    let context: UnsafeMutableRawPointer
    let node: UnsafeMutableRawPointer
    let client: UnsafeMutableRawPointer
    private var locked = true

    init() async throws {
        cluster = try await LocalCluster(nodes: 0, workdir: work.path,
                                         coordinatorArguments: ["--heartbeat-interval", "200ms", "--down-grace", "500ms"])
        var holder = Configuration()
        holder.allowsUnsafeTransactions = true
        journal = try DatabaseQueue(path: cluster.scratch.path + "/state/journal.sqlite", configuration: holder)
        try journal.inDatabase { try $0.execute(sql: "BEGIN IMMEDIATE") }
        context = zmq_ctx_new()!
        node = try RawZMQ.dealer(context, cluster.endpoint)
        client = try RawZMQ.dealer(context, cluster.endpoint)
    }

    func hello() throws {
        try RawZMQ.send(node, WireCodec.encode(.hello(Hello(id: 1, role: .node, name: "n1", incarnation: "n1-1", slots: 1))))
    }

    /// A run: the loop stands still on journaling it.
    func submit() throws {
        try RawZMQ.send(client, WireCodec.encode(.hello(Hello(id: 1, role: .client, name: "c", incarnation: "c-1"))))
        let plan = "name: stall\nstages:\n  - id: one\n    run: \"true\"\n"
        try RawZMQ.send(client, WireCodec.encode(.submit(Submit(id: 2, plan: plan, file: "stall.yaml", overrides: [],
                                                                   scopes: [:], taskEvents: false))))
    }

    /// Reads what the node is sent until `wanted` says so (true) or `timeout` has passed (false).
    func next(_ timeout: Duration, _ wanted: (Message) -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let frames = RawZMQ.receive(node, within: 100), let message = try? WireCodec.decode(frames) else { continue }
            if wanted(message) { return true }
        }
        return false
    }

    /// Frees the journal and waits until the loop has gone on with the run.
    func release() async throws {
        try journal.inDatabase { try $0.execute(sql: "ROLLBACK") }
        locked = false
        #expect(await eventually { self.cluster.coordinator.output.contains("of plan 'stall' accepted") }, "\(cluster.coordinator.output)")
        // The test did what it says: the loop stood still.
        #expect(await eventually { self.cluster.coordinator.output.contains("did not run for") }, "\(cluster.coordinator.output)")
    }

    func end() {
        if locked { try? journal.inDatabase { try $0.execute(sql: "ROLLBACK") } }
        zmq_close(node)
        zmq_close(client)
        zmq_ctx_term(context)
        cluster.stop()
        work.remove()
    }
}
