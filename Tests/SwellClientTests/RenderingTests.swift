import Foundation
import Testing
@testable import SwellClient
@testable import SwellCore
@testable import SwellProtocol

func sampleReport(error: TaskError? = nil, exit: Int32? = 0) -> Report {
    Report(run: "r1", stage: "scan", index: 3, scope: "src/a b", attempt: 2, node: "n1", exitCode: exit, signal: nil,
           timedOut: false, error: error, startedAt: 1_000.25, endedAt: 1_001.5, stdoutBytes: 6, stdoutTruncated: false,
           command: "grep -n x 'src/a b'\t|\nsort", stdout: Data("found\n".utf8), stderrTail: Data("warn".utf8), share: 1)
}

@Suite struct JoblogTests {
    @Test func aStageTakesAsLongAsTheCoordinatorSaysNotAsLongAsThisClientTookToHearOfIt() {
        final class Lines: @unchecked Sendable { var text = "" }   // one test thread
        let lines = Lines()
        let reporter = ProgressReporter(mode: .plain) { lines.text += $0 }
        // The client was blocked on its stdout for a minute between the two events.
        reporter.handle(Event(id: 1, run: "r", kind: .stageStarted, stage: "scan", counts: StageCounts(tasks: 2)))
        reporter.handle(Event(id: 2, run: "r", kind: .stageFinished, stage: "scan",
                              counts: StageCounts(tasks: 2, succeeded: 2, failed: 0, running: 0, shares: 1), seconds: 0.75))
        #expect(lines.text.contains("swell: stage scan finished: 2 of 2 tasks succeeded in 750ms\n"), "\(lines.text)")
    }

    @Test func aLineHasGNUParallelsColumnsAndACommandOnOneLine() {
        var report = sampleReport()
        // Job 4 (index 3), the runtime right-aligned as GNU parallel writes it, the command's
        // newline a NUL and its tab kept.
        #expect(Joblog.line(report) == "4\tn1\t1000.250\t     1.250\t0\t6\t0\t0\tgrep -n x 'src/a b'\t|\u{0}sort\n")
        #expect(Joblog.line(sampleReport(error: .cancelled, exit: nil)).split(separator: "\t")[6] == "-1")
        // Newlines as GNU parallel writes them; a reduction is job 0.
        report.command = "echo a\necho b"
        report.index = -1
        #expect(Joblog.line(report).hasPrefix("0\t"))
        #expect(Joblog.line(report).hasSuffix("\techo a\u{0}echo b\n"))
        #expect(Joblog.header.split(separator: "\t").count == 9)
    }
}

@Suite struct RunOutputTests {
    @Test func jsonHasTheRunItsStagesAndItsSinkOutputs() throws {
        let data = RunOutput(result(.failed, failed: 1, error: "stage scan failed", outputs: ["a\n", ""]),
                             outputs: [Data("a\n".utf8), Data()], exit: .failed).json()
        #expect(data.last == UInt8(ascii: "\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["status"] as? String == "failed")
        #expect(object["exitCode"] as? Int == 1)
        #expect(object["error"] as? String == "stage scan failed")
        let stage = try #require((object["stages"] as? [[String: Any]])?.first)
        #expect(stage["id"] as? String == "scan")
        #expect(stage["tasks"] as? Int == 4)
        #expect(stage["failed"] as? Int == 1)
        let outputs = try #require(object["outputs"] as? [[String: Any]])
        #expect(outputs.map { $0["stage"] as? String } == ["s0", "s1"])
        #expect(outputs.map { $0["output"] as? String } == ["a\n", ""])
    }
}

@Suite struct StatusRenderingTests {
    @Test func nodesRunsAndDropsAreTables() {
        let reply = StatusReply(
            id: 1, replyTo: 1, coordinator: "c", endpoint: "tcp://127.0.0.1:7710", security: .curve,
            nodes: [NodeStatus(name: "n1", incarnation: "i", membership: 1, state: .up, slots: 10, labels: ["gpu", "x"],
                               running: 3, lastHeartbeat: 995, tasksRun: 42)],
            runs: [RunOverview(run: "r1", name: "audit", status: .running, createdAt: 880, endedAt: nil, tasks: 10,
                               succeeded: 4, failed: 1, running: 3)],
            dropped: DropCounters(malformed: 2, duplicates: 1))
        #expect(StatusClient.render(reply, now: 1_000) == """
            coordinator tcp://127.0.0.1:7710 (peers admitted by CURVE key)

            NODE  STATE  SLOTS  RUNNING  TASKS  LAST HEARTBEAT  LABELS
            n1    up     10     3        42     5.0s ago        gpu,x

            RUN  PLAN   STATUS   TASKS  SUCCEEDED  FAILED  RUNNING  STARTED
            r1   audit  running  10     4          1       3        2m ago

            dropped messages: malformed 2, duplicates 1

            """)
        let empty = StatusReply(id: 1, replyTo: 1, coordinator: "c", endpoint: "tcp://h:1", security: .loopback, nodes: [],
                                runs: [], dropped: DropCounters())
        #expect(StatusClient.render(empty, now: 0) == "coordinator tcp://h:1 (loopback, no keys)\n\nno nodes have joined\n\nno runs\n")
    }

    /// A node may name itself anything: its name's control characters are shown, and the
    /// columns stay aligned on what is shown.
    @Test func namesWithControlCharactersAreShownNotObeyed() {
        let reply = StatusReply(
            id: 1, replyTo: 1, coordinator: "c", endpoint: "tcp://h:1", security: .loopback,
            nodes: [NodeStatus(name: "n\u{1B}[2J\u{202E}x", incarnation: "i", membership: 1, state: .up, slots: 2, labels: [],
                               running: 0, lastHeartbeat: 0, tasksRun: 0)],
            runs: [], dropped: DropCounters())
        let text = StatusClient.render(reply, now: 0)
        #expect(!text.contains("\u{1B}") && !text.contains("\u{202E}"))
        #expect(text.contains("n^[[2J<U+202E>x  up     2"), "\(text)")
    }
}

@Suite struct LogsRenderingTests {
    @Test func aReportIsAHeaderLineItsOutputAndItsStderr() {
        let text = String(decoding: LogsClient.render(sampleReport()), as: UTF8.self)
        #expect(text == "== scan[3] src/a b · node n1 · attempt 2 · exit 0 · 1.25s\nfound\n-- stderr --\nwarn\n")
    }

    @Test func aHeaderShowsTheControlsOfAScopeAndANodeNameInsteadOfObeyingThem() {
        var report = sampleReport()
        report.scope = "src/esc\u{1B}[31mred\u{9B}\t\u{2028}.txt"
        report.node = "n\u{202E}1"
        report.stdout = Data("raw \u{1B}[1m\n".utf8)
        let text = String(decoding: LogsClient.render(report), as: UTF8.self)
        #expect(text.hasPrefix("== scan[3] src/esc^[[31mred<U+9B>^I<U+2028>.txt · node n<U+202E>1 · attempt 2"), "\(text)")
        // The task's own output stays as it wrote it.
        #expect(text.contains("\nraw \u{1B}[1m\n"))
    }

    @Test func jsonHasEveryFieldOfAReportWithItsOutputsAsText() throws {
        let data = try LogsClient.json([sampleReport(), sampleReport(error: .cancelled, exit: nil)])
        let list = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(Set(list[0].keys) == ["run", "stage", "index", "scope", "share", "attempt", "node", "exitCode", "timedOut",
                                      "succeeded", "startedAt", "endedAt", "stdoutBytes", "stdoutTruncated", "command",
                                      "stdout", "stderr", "schemaVersion"])
        #expect(list[0]["schemaVersion"] as? Int == 1)
        #expect(list[0]["stdout"] as? String == "found\n")
        #expect(list[0]["stderr"] as? String == "warn")
        #expect(list[0]["succeeded"] as? Bool == true)
        #expect(list[1]["error"] as? String == "cancelled")
        #expect(list[1]["succeeded"] as? Bool == false)
        #expect(list[1]["exitCode"] == nil)
    }
}
