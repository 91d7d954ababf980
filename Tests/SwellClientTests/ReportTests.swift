import Foundation
import Testing
@testable import SwellClient
@testable import SwellCore

/// A report of stage `stage`, task `index`, on `node` from `start` to `end` (seconds after 0).
private func attempt(_ index: Int, _ start: Double, _ end: Double, attempt: Int = 1, node: String = "n1", share: Int = 0,
                     exit: Int32? = 0, timedOut: Bool = false, error: TaskError? = nil, stderr: String = "",
                     stage: String = "scan") -> Report {
    Report(run: "r1", stage: stage, index: index, scope: "s\(index)", attempt: attempt, node: node, exitCode: exit,
           signal: nil, timedOut: timedOut, error: error, startedAt: start, endedAt: end, stdoutBytes: 0,
           stdoutTruncated: false, command: "work \(index)", stdout: Data(), stderrTail: Data(stderr.utf8), share: share)
}

private func digest(stages: [(String, StageStatus, Int)] = [("scan", .succeeded, 4)], shares: [RunDigest.Share] = [],
                    plan: String = "name: p\nstages:\n  - id: scan\n    partition: { items: [a] }\n    run: 'true'\n",
                    endedAt: Double? = 100) -> RunDigest {
    RunDigest(id: "r1", name: "p", file: "p.yaml", planText: plan, status: .succeeded, createdAt: 0, endedAt: endedAt,
              error: nil, stages: stages.map { RunDigest.Stage(stage: $0.0, status: $0.1, tasks: $0.2, startedAt: 0, endedAt: endedAt, error: nil) },
              shares: shares)
}

@Suite struct RunTimelineTests {
    @Test func attemptsArePackedIntoTheFirstLaneFreeAtTheirStart() {
        let timeline = RunTimeline(digest: digest(), reports: [
            attempt(0, 0, 10), attempt(1, 1, 5), attempt(2, 5, 8), attempt(3, 2, 12, node: "n2"),
        ])
        let lanes = Dictionary(uniqueKeysWithValues: timeline.attempts.map { ($0.index, $0.lane) })
        // Task 2 starts as task 1 ends: it takes task 1's lane.
        #expect(lanes == [0: 0, 1: 1, 2: 1, 3: 0])
        #expect(timeline.nodes.map(\.name) == ["n1", "n2"])
        #expect(timeline.nodes.map(\.lanes) == [2, 1])
        #expect(timeline.nodes[0].busySeconds == 17)
        #expect(abs(timeline.nodes[0].utilisation - 17.0 / 200) < 1e-9)
        #expect(timeline.taskSeconds == 27)
    }

    @Test func aTasksLastAttemptIsFinalAndTheEarlierOnesWereRetried() {
        let timeline = RunTimeline(digest: digest(), reports: [
            attempt(0, 0, 1, attempt: 1, exit: 1),
            attempt(0, 2, 3, attempt: 2, node: "n2"),
            attempt(1, 0, 4, exit: 2, stderr: "no such file"),
            attempt(2, 0, 2, exit: nil, timedOut: true),
            attempt(3, 0, 2, exit: nil, error: .cancelled),
        ])
        let outcomes = timeline.attempts.map { "\($0.index)/\($0.attempt): \($0.outcome.rawValue)" }.sorted()
        #expect(outcomes == ["0/1: retried", "0/2: succeeded", "1/1: failed", "2/1: timed-out", "3/1: cancelled"])
        #expect(timeline.finished == 4)
        #expect(timeline.succeeded == 1)
        #expect(timeline.failures.map(\.index) == [1, 2, 3])
        // Task 0 ran again on another node.
        #expect(timeline.attempts.filter(\.reassigned).map(\.index) == [0])
        #expect(timeline.stages.first?.attempts == 5)
        #expect(timeline.stages.first?.failed == 3)
    }

    @Test func aShareHandedOutAgainMarksItsAttemptsReassigned() {
        // Share 1 was on n3, which finished task 2 and was lost; n2 has it now and ran task 3.
        let shares = [RunDigest.Share(stage: "scan", share: 1, first: 2, count: 2, node: "n2", attempt: 2, status: .done)]
        let timeline = RunTimeline(digest: digest(shares: shares), reports: [
            attempt(0, 0, 1, share: 0), attempt(2, 0, 1, node: "n3", share: 1), attempt(3, 5, 6, node: "n2", share: 1),
        ])
        #expect(timeline.attempts.filter(\.reassigned).map(\.index) == [3])
    }

    @Test func percentilesAreNearestRank() {
        let values = (1...20).map(Double.init)
        #expect(RunTimeline.percentile(values, 0.5) == 10)
        #expect(RunTimeline.percentile(values, 0.95) == 19)
        #expect(RunTimeline.percentile([], 0.5) == nil)
        #expect(RunTimeline.percentile([3], 0.95) == 3)
    }

    @Test func stagesAreGroupedByTheWavesOfThePlan() {
        let plan = """
            name: p
            stages:
              - id: map
                run: seq 3
              - id: each
                partition: { lines-of: map }
                run: 'true'
              - id: side
                run: 'true'
            """
        let timeline = RunTimeline(digest: digest(stages: [("map", .succeeded, 1), ("side", .succeeded, 1), ("each", .running, 3)],
                                                  plan: plan), reports: [])
        #expect(timeline.waves == [["map", "side"], ["each"]])
        #expect(timeline.stages.map(\.wave) == [1, 1, 2])
    }

    @Test func aRunningRunEndsNow() {
        let timeline = RunTimeline(digest: digest(endedAt: nil), reports: [attempt(0, 0, 3)], now: 50)
        #expect(timeline.end == 50)
        #expect(timeline.wallSeconds == 50)
    }
}

@Suite struct ReportPageTests {
    @Test func textFromTasksIsEscapedWherePlacedInThePage() {
        let hostile = "</pre><script>alert(1)</script>\"'&\u{1}"
        var report = attempt(0, 0, 1, exit: 1, stderr: hostile)
        report.scope = "<b>x</b>"
        report.command = "echo '<img src=x onerror=alert(1)>'"
        let html = ReportPage.html(RunTimeline(digest: digest(), reports: [report]))
        #expect(!html.contains("<script"))
        #expect(!html.contains("<b>x</b>"))
        #expect(!html.contains("<img"))
        #expect(html.contains("&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;\u{FFFD}"))
        #expect(html.contains("data-count=\"1\""))
    }

    @Test func stderrThatIsNotUTF8IsShownWithReplacementCharacters() {
        var report = attempt(0, 0, 1, exit: 1)
        report.stderrTail = Data([0x66, 0xFF, 0xFE, 0x67])
        let html = ReportPage.html(RunTimeline(digest: digest(), reports: [report]))
        #expect(html.contains("f\u{FFFD}\u{FFFD}g"))
    }

    @Test func upToTheThresholdEachAttemptIsDrawnAndAboveItNodesShowBusyLanes() {
        func page(_ count: Int) -> String {
            let reports = (0..<count).map { attempt($0, Double($0 / 40), Double($0 / 40) + 0.9, node: "n\($0 % 4)") }
            return ReportPage.html(RunTimeline(digest: digest(stages: [("scan", .succeeded, count)]), reports: reports))
        }
        let drawn = page(ReportPage.drawEachAttemptUpTo)
        #expect(drawn.contains("data-mode=\"attempts\""))
        #expect(drawn.components(separatedBy: "<rect class=\"a succeeded\"").count - 1 == ReportPage.drawEachAttemptUpTo)
        let aggregated = page(ReportPage.drawEachAttemptUpTo + 1)
        #expect(aggregated.contains("data-mode=\"aggregated\""))
        #expect(!aggregated.contains("<rect class=\"a "))
        #expect(aggregated.components(separatedBy: "<path class=\"agg-ok\" d=\"M").count - 1 == 4)
        // The page stays small: paths, not bars.
        #expect(aggregated.utf8.count < drawn.utf8.count / 5)
    }

    @Test func manyFailuresAreCountedAndTheFirstShown() {
        let reports = (0..<(ReportPage.failuresShown + 5)).map { attempt($0, 0, 1, exit: 1) }
        let html = ReportPage.html(RunTimeline(digest: digest(), reports: reports))
        #expect(html.components(separatedBy: "<div class=\"failure ").count - 1 == ReportPage.failuresShown)
        #expect(html.contains("and 5 more: <code>swell logs r1</code> shows them all"))
        // Made from a coordinator: the command says which.
        let remote = ReportPage.html(RunTimeline(digest: digest(), reports: reports),
                                     logs: ReportClient.logsCommand(.init(run: "r1", output: nil, coordinator: "tcp://10.0.0.5:7710",
                                                                          stateDirectory: StateDirectory.default)))
        #expect(remote.contains("and 5 more: <code>swell logs r1 --coordinator tcp://10.0.0.5:7710</code>"))
        let local = ReportClient.logsCommand(.init(run: "r1", output: nil, coordinator: nil, stateDirectory: "/srv/swell state"))
        #expect(local == "swell logs r1 --state '/srv/swell state'")
        // A relative folder is named from the root: the hint works from any folder.
        let relative = ReportClient.logsCommand(.init(run: "r1", output: nil, coordinator: nil, stateDirectory: "st"))
        #expect(relative == "swell logs r1 --state " + FileManager.default.currentDirectoryPath + "/st")
    }

    /// Direction controls in a scope or command would reorder the text after them on the page:
    /// they are shown by name.
    @Test func directionControlsAreShownNotObeyed() {
        var report = attempt(0, 0, 1, exit: 1, stderr: "tail\u{2066}x")
        report.scope = "evil\u{202E}txt.exe"
        let html = ReportPage.html(RunTimeline(digest: digest(), reports: [report]))
        for control in ["\u{202E}", "\u{2066}"] { #expect(!html.contains(control)) }
        #expect(html.contains("evil&lt;U+202E&gt;txt.exe"))
        #expect(html.contains("tail&lt;U+2066&gt;x"))
    }

    /// A label on the chart is cut to what is drawn: direction controls count as one character
    /// each, not as the 8 of their escaped names.
    @Test func chartLabelsAreCutToTheirLengthWhateverTheyHold() throws {
        let name = String(repeating: "\u{2066}", count: 21) + "z" + String(repeating: "n", count: 150)
        let html = ReportPage.html(RunTimeline(digest: digest(), reports: [attempt(0, 0, 1, node: name)]))
        let label = try #require(html.components(separatedBy: "font-weight=\"600\">").dropFirst().first?
            .components(separatedBy: "</text>").first)
        #expect(label.unicodeScalars.count == 24, "\(label)")
        #expect(!label.contains("&lt;U+"))
        #expect(label.hasSuffix("…"))
        // In the tables the name is whole, escaped, in a cell that may wrap.
        #expect(html.contains("<td class=\"wrap\">&lt;U+2066&gt;"))
    }

    @Test func oneLaneIsOneLane() {
        let html = ReportPage.html(RunTimeline(digest: digest(stages: [("scan", .succeeded, 1)]), reports: [attempt(0, 0, 1)]))
        #expect(html.contains("of 1 lane on 1 node"))
    }

    /// A run of many attempts keeps the text of only those the page shows: the first failures
    /// (their stderr cut to what is shown) and the slowest.
    @Test func pastTheThresholdOnlyTheShownAttemptsKeepTheirText() {
        let count = ReportPage.drawEachAttemptUpTo + 5_000
        let tail = String(repeating: "e", count: 60_000) + "END"
        var reports: [Report] = []
        for i in 0..<count {
            let start = Double(i) / 100
            if i % 100 == 0 {
                reports.append(attempt(i, start, start + 0.5, exit: 1, stderr: tail))
            } else {
                reports.append(attempt(i, start, start + (i == 7_777 ? 9 : 0.2)))
            }
        }
        let timeline = RunTimeline(digest: digest(stages: [("scan", .failed, count)]), reports: reports)
        #expect(!timeline.detailed)
        #expect(timeline.failureCount == count / 100)
        #expect(timeline.failures.count == ReportPage.failuresShown)
        let expected: [Int] = (0..<ReportPage.failuresShown).map { $0 * 100 }
        #expect(timeline.failures.map { $0.index } == expected)
        #expect(timeline.failures.allSatisfy { $0.detail?.stderrTail?.count == ReportPage.stderrShown })
        #expect(String(decoding: timeline.failures[0].detail!.stderrTail!, as: UTF8.self).hasSuffix("END"))
        #expect(timeline.slowest.first?.index == 7_777)
        #expect(timeline.slowest.first?.detail?.command == "work 7777")
        let texts = timeline.attempts.filter { $0.detail != nil }.count
        #expect(texts <= ReportPage.failuresShown + ReportPage.slowestShown, "\(texts) attempts keep their text")
        #expect(timeline.finished == count && timeline.succeeded == count - count / 100)
    }

    @Test func aRunWithoutReportsStillMakesAPage() {
        let html = ReportPage.html(RunTimeline(digest: digest(stages: [("scan", .pending, 0)], endedAt: nil), reports: [], now: 0))
        #expect(html.contains("data-figure=\"tasks\" data-value=\"0 / 0\""))
        #expect(html.contains("No task failed."))
        #expect(html.hasSuffix("</html>\n"))
    }

    @Test func axisStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        #expect(ReportPage.tickStep(span: 80) == 10)
        #expect(ReportPage.tickStep(span: 0.45) == 0.1)
        #expect(ReportPage.tickStep(span: 3_000) == 500)
    }
}
