import Foundation
import Testing
@testable import SwellClient
import SwellCore
@testable import SwellProtocol

/// What a reporter wrote, in one test's thread.
final class Written: @unchecked Sendable {
    var text = ""
    var writes: [String] = []
}

func reporter(_ mode: ProgressReporter.Mode, width: Int = 100) -> (ProgressReporter, Written) {
    let written = Written()
    let reporter = ProgressReporter(mode: mode, write: { written.text += $0; written.writes.append($0) }, width: { width })
    return (reporter, written)
}

func progress(_ stage: String, _ counts: StageCounts, id: UInt64 = 1) -> Event {
    Event(id: id, run: "r", kind: .progress, stage: stage, counts: counts)
}

@Suite struct ProgressBlockTests {
    let busy = StageCounts(tasks: 500, succeeded: 120, failed: 3, running: 10, shares: 5, retried: 4, taskSeconds: 246, nodes: 3)

    @Test func aLineHasTheBarTheCountsTheNodesAndAnEstimate() {
        let line = ProgressReporter.block([("scan", busy)], width: 120)[0]
        #expect(line.hasPrefix("scan  ["), "\(line)")
        for part in ["123/500", "10 running", "3 failed", "4 retried", "3 nodes", "ETA "] {
            #expect(line.contains(part), "\(part) in \(line)")
        }
        // 377 tasks left at 2 s each (246 s over 123), 10 at once: 75.4 s.
        #expect(ProgressReporter.estimate(busy) == 377.0 * 2 / 10)
        #expect(line.contains("ETA 1m16s"), "\(line)")
    }

    /// No line is ever wider than the terminal less one column, whatever its width: so the
    /// terminal never wraps it and the block can be erased by counting its lines.
    @Test func everyLineFitsEveryWidth() {
        let stages = [("a-stage-with-a-very-long-name-indeed", busy), ("s", StageCounts(tasks: nil)),
                      ("ünïcödé", StageCounts(tasks: 1, running: 1))]
        for width in 1...220 {
            for line in ProgressReporter.block(stages, width: width) {
                #expect(line.count <= max(10, width - 1), "width \(width): \(line)")
            }
        }
    }

    @Test func aNarrowTerminalLosesTheBarThenTheLeastTellingFactsFirst() {
        let wide = ProgressReporter.block([("scan", busy)], width: 120)[0]
        let narrow = ProgressReporter.block([("scan", busy)], width: 50)[0]
        #expect(wide.contains("["))
        #expect(!narrow.contains("["), "\(narrow)")
        #expect(narrow.contains("10 running") && narrow.contains("3 failed"), "\(narrow)")
        #expect(!narrow.contains("nodes") && !narrow.contains("retried"), "\(narrow)")
        let tiny = ProgressReporter.block([("scan", busy)], width: 16)[0]
        #expect(tiny.hasPrefix("scan  123/500"), "\(tiny)")
    }

    @Test func theBarShowsDoneFailedRunningAndWaitingInProportion() {
        let c = StageCounts(tasks: 100, succeeded: 50, failed: 10, running: 20)
        #expect(ProgressReporter.bar(c, width: 10) == "█████x▒▒··")
        #expect(ProgressReporter.bar(c, width: 20).count == 20)
        // A failure shows even when it is too few to fill a cell.
        #expect(ProgressReporter.bar(StageCounts(tasks: 1000, succeeded: 500, failed: 1), width: 10).contains("x"))
        // A stage whose size is not known yet has no proportions to show.
        #expect(ProgressReporter.bar(StageCounts(tasks: nil), width: 5) == "·····")
        #expect(ProgressReporter.estimate(StageCounts(tasks: nil, succeeded: 3, taskSeconds: 3)) == nil)
        #expect(ProgressReporter.estimate(StageCounts(tasks: 5)) == nil)
    }

    /// A terminal made narrower rewraps the block's lines; erasing counts the rows they take now.
    @Test func erasingABlockCountsTheRowsItsLinesTakeAfterAResize() {
        let lines = [String(repeating: "a", count: 90), "short"]
        #expect(ProgressReporter.erase(lines, drawnAt: 100, width: 100) == "\r\u{1B}[2A\u{1B}[J")
        #expect(ProgressReporter.erase(lines, drawnAt: 100, width: 40) == "\r\u{1B}[4A\u{1B}[J")
        #expect(ProgressReporter.erase(lines, drawnAt: 40, width: 100) == "\r\u{1B}[2A\u{1B}[J")
    }
}

@Suite struct ProgressReporterTests {
    /// Hundreds of progress events at once redraw the block at most 10 times a second; a
    /// redraw that was held back comes with the next tick.
    @Test func theBlockIsRedrawnAtMostTenTimesASecond() async throws {
        let (reporter, written) = reporter(.tty)
        let start = ContinuousClock.now
        for n in 0..<500 {
            reporter.handle(progress("scan", StageCounts(tasks: 500, succeeded: n, running: 10), id: UInt64(n)))
        }
        let seconds = (ContinuousClock.now - start).inSeconds
        let draws = written.writes.filter { $0.contains("scan  [") }.count
        #expect(draws >= 1 && Double(draws) <= 1 + seconds * 10, "\(draws) draws in \(seconds) s")
        #expect(!written.text.contains("500/500") && !written.text.contains("499/500"))
        try await Task.sleep(for: .milliseconds(120))
        reporter.tick()
        #expect(written.writes.last?.contains("499/500") == true, "\(written.writes.last ?? "")")
    }

    /// A permanent line goes above the block: the block is erased, the line written, and the
    /// block drawn again below it; at the end the block is erased and nothing of it is left.
    @Test func linesGoAboveTheBlockAndTheEndLeavesNoBlock() async throws {
        let (reporter, written) = reporter(.tty)
        reporter.handle(Event(id: 1, run: "r", kind: .stageStarted, stage: "scan", counts: StageCounts(tasks: 4)))
        try await Task.sleep(for: .milliseconds(110))
        reporter.handle(progress("scan", StageCounts(tasks: 4, succeeded: 1, running: 2)))
        #expect(written.writes.last?.hasSuffix("1/4  2 running\n") == true, "\(written.writes)")
        try await Task.sleep(for: .milliseconds(110))
        reporter.line("a notice")
        let erase = "\r\u{1B}[1A\u{1B}[J"
        #expect(written.writes.suffix(3).first == erase, "\(written.writes.suffix(3))")
        #expect(written.writes.suffix(2).first == "swell: a notice\n")
        #expect(written.writes.last?.contains("scan  [") == true)
        reporter.finish()
        #expect(written.writes.last == erase)
        reporter.finish()
        #expect(written.writes.last == erase, "erased once only")
    }

    /// A resize redraws the block at the next tick, with no event to prompt it.
    @Test func aResizeRedrawsTheBlockWithoutAnEvent() async throws {
        final class Width: @unchecked Sendable { var columns = 120 }
        let width = Width()
        let written = Written()
        let reporter = ProgressReporter(mode: .tty, write: { written.writes.append($0) }, width: { width.columns })
        reporter.handle(progress("scan", StageCounts(tasks: 500, succeeded: 100, running: 10, retried: 1, nodes: 2)))
        #expect(written.writes.last?.contains("[") == true)
        try await Task.sleep(for: .milliseconds(110))
        reporter.tick()
        let before = written.writes.count
        #expect(before == 1, "nothing changed, nothing drawn")
        width.columns = 40
        reporter.tick()
        #expect(written.writes.count == before + 1)
        let redrawn = try #require(written.writes.last)
        #expect(redrawn.hasPrefix("\r\u{1B}[2A\u{1B}[J"), "the old line takes 2 rows of 40 now: \(redrawn.debugDescription)")
        #expect(!redrawn.contains("[█"))
    }

    @Test func noneShowsOnlyWhatWentWrong() {
        let (reporter, written) = reporter(.none)
        reporter.runStarted("r", plan: "p.yaml")
        reporter.handle(Event(id: 1, run: "r", kind: .stageStarted, stage: "scan", counts: StageCounts(tasks: 4)))
        reporter.handle(progress("scan", StageCounts(tasks: 4, succeeded: 1, running: 2)))
        reporter.handle(Event(id: 2, run: "r", kind: .taskFinished, stage: "scan", report: sampleReport(exit: 2), stderr: "boom\n"))
        reporter.handle(Event(id: 3, run: "r", kind: .notice, stage: "scan", message: "node n2 is down"))
        reporter.handle(Event(id: 4, run: "r", kind: .stageFinished, stage: "scan", counts: StageCounts(tasks: 4, succeeded: 3, failed: 1)))
        reporter.line("run r succeeded in 1s", progress: true)
        reporter.line("run r failed: failed tasks: 1 of 4 in scan")
        #expect(written.text == """
            swell: scan[3] src/a b failed (exit 2) on n1, attempt 2
                boom
            swell: node n2 is down
            swell: run r failed: failed tasks: 1 of 4 in scan

            """, "\(written.text)")
    }

    /// A task's stderr could retitle the terminal, move the cursor or reverse the line: its
    /// control characters are shown instead.
    @Test func controlCharactersFromTasksAreShownNotObeyed() {
        let (reporter, written) = reporter(.plain)
        reporter.handle(Event(id: 2, run: "r", kind: .taskFinished, stage: "scan", report: sampleReport(exit: 2),
                              stderr: "\u{1B}]0;pwned\u{7} \u{202E}abc\rover\u{9B}2J\ttab\n"))
        #expect(written.text == """
            swell: scan[3] src/a b failed (exit 2) on n1, attempt 2
                ^[]0;pwned^G <U+202E>abc^Mover<U+9B>2J\ttab

            """, "\(written.text)")
        #expect(TerminalText.visible("plain ünïcödé\n") == "plain ünïcödé\n")
        #expect(TerminalText.visible("\u{0}\u{7F}") == "^@^?")
        // On one line, a newline is shown too, and a tab when asked.
        #expect(TerminalText.oneLine("a\nb\tc\u{1B}") == "a\\nb\tc^[")
        #expect(TerminalText.oneLine("a\nb\tc", tabs: true) == "a\\nb^Ic")
    }

    /// A stage of a continued run starts again with the tasks it has done.
    @Test func aStageThatGoesOnSaysWhatItHasDone() {
        let (reporter, written) = reporter(.plain)
        reporter.handle(Event(id: 1, run: "r", kind: .stageStarted, stage: "scan", counts: StageCounts(tasks: 4, succeeded: 2, failed: 1)))
        reporter.handle(Event(id: 2, run: "r", kind: .stageStarted, stage: "sum", counts: StageCounts(tasks: 1)))
        #expect(written.text == "swell: stage scan goes on: 3 of 4 tasks done before\nswell: stage sum started: 1 task\n", "\(written.text)")
    }

    /// A stage cut short before any of its tasks had finished goes on all the same.
    @Test func aStageThatGoesOnWithNothingDoneSaysSo() {
        let (reporter, written) = reporter(.plain)
        reporter.handle(Event(id: 1, run: "r", kind: .stageStarted, stage: "scan", counts: StageCounts(tasks: 4), continued: true))
        #expect(written.text == "swell: stage scan goes on: 0 of 4 tasks done before\n", "\(written.text)")
    }

    /// How each stage ended, when a failure stopped the run: the failed stage with what it left
    /// unfinished, the one it cut short as stopped, the one that never started as not run.
    @Test func aStageEndSaysHowItEnded() {
        let (reporter, written) = reporter(.plain)
        let ends: [(String, StageStatus, StageCounts)] = [
            ("a", .failed, StageCounts(tasks: 4, failed: 1)),
            ("b", .cancelled, StageCounts(tasks: 2, succeeded: 1)),
            ("c", .skipped, StageCounts(tasks: nil)),
            ("d", .succeeded, StageCounts(tasks: 3, succeeded: 3)),
            ("e", .failed, StageCounts(tasks: 2, succeeded: 1, failed: 1)),
            ("f", .failed, StageCounts(tasks: 0))]
        for (id, status, counts) in ends {
            reporter.handle(Event(id: 1, run: "r", kind: .stageFinished, stage: id, counts: counts, seconds: 0.03, status: status))
        }
        #expect(written.text == """
            swell: stage a finished: 0 of 4 tasks succeeded, 1 failed, 3 unfinished in 30ms
            swell: stage b stopped: 1 of 2 tasks succeeded, 1 unfinished in 30ms
            swell: stage c not run
            swell: stage d finished: 3 of 3 tasks succeeded in 30ms
            swell: stage e finished: 1 of 2 tasks succeeded, 1 failed in 30ms
            swell: stage f failed before any task started

            """, "\(written.text)")
    }

    @Test func plainLinesSayWhatIsLeftAndWhatWasRetried() async throws {
        let (reporter, written) = reporter(.plain)
        reporter.handle(Event(id: 1, run: "r", kind: .stageStarted, stage: "scan", counts: StageCounts(tasks: 4)))
        reporter.handle(Event(id: 2, run: "r", kind: .stageFinished, stage: "scan",
                              counts: StageCounts(tasks: 4, succeeded: 4, retried: 2), seconds: 2))
        #expect(written.text.hasSuffix("swell: stage scan finished: 4 of 4 tasks succeeded, 2 retried in 2s\n"), "\(written.text)")
        #expect(!written.text.contains("\u{1B}"), "plain lines move no cursor")
    }
}
