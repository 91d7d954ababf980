import Foundation
import SwellCore
import SwellPlan
package import SwellProtocol

/// Progress and diagnostics of `swell run` on stderr: a live status line on a terminal,
/// plain lines otherwise. Never writes to stdout.
package final class ProgressReporter {
    package enum Mode: Sendable {
        /// A redrawn status line (stderr is a terminal).
        case live
        /// Plain lines, a progress line at most every 5 s per stage.
        case plain
    }

    let mode: Mode
    private var started: [String: Date] = [:]
    private var counts: [String: StageCounts] = [:]
    private var lastPlain: [String: Date] = [:]
    private var lastDraw = Date.distantPast
    private var statusShown = false
    private let runStart = Date()
    private let writer: (String) -> Void

    /// - Parameter write: where the text goes (stderr).
    package init(mode: Mode, write: @escaping (String) -> Void = StandardStreams.err) {
        self.mode = mode
        self.writer = write
    }

    package static var automatic: Mode { isatty(2) == 1 ? .live : .plain }

    func write(_ text: String) {
        writer(text)
    }

    /// A permanent line.
    package func line(_ text: String) {
        clearStatus()
        write("swell: \(text)\n")
        redraw(force: true)
    }

    package func runStarted(_ run: String, plan: String) {
        line("run \(run) started (plan \(plan))")
    }

    package func handle(_ event: Event) {
        guard let stage = event.stage else {
            if let message = event.message { line(message) }
            return
        }
        switch event.kind {
        case .stageStarted:
            started[stage] = Date()
            counts[stage] = event.counts
            let tasks = event.counts?.tasks ?? 0
            line("stage \(stage) started: \(tasks) task\(tasks == 1 ? "" : "s")")
        case .progress:
            counts[stage] = event.counts
            if mode == .plain, let c = event.counts, Date().timeIntervalSince(lastPlain[stage] ?? started[stage] ?? runStart) >= 5 {
                lastPlain[stage] = Date()
                line("stage \(stage): \(c.succeeded + c.failed)/\(c.tasks ?? 0) done, \(c.running) running, \(c.failed) failed")
            } else {
                redraw(force: false)
            }
        case .stageFinished:
            counts[stage] = nil
            let c = event.counts ?? StageCounts(tasks: 0)
            // The coordinator's measure: this client may have seen the events late (its stdout
            // blocked, or away while the coordinator restarted).
            let seconds = event.seconds ?? Date().timeIntervalSince(started[stage] ?? runStart)
            let failed = c.failed > 0 ? ", \(c.failed) failed" : ""
            line("stage \(stage) finished: \(c.succeeded) of \(c.tasks ?? 0) task\(c.tasks == 1 ? "" : "s") succeeded\(failed) in \(Durations.format(.seconds(seconds)))")
        case .taskFinished:
            guard let report = event.report, !report.succeeded else { return }
            if let error = report.error, error.isWait {
                // Not a failure: the attempt runs again (a rate limit's stderr says only that).
                line("\(report.label): \(error) on \(report.node), attempt \(report.attempt)")
                return
            }
            var text = "\(report.label) failed (\(report.outcome)) on \(report.node), attempt \(report.attempt)"
            let tail = (event.stderr ?? "").split(separator: "\n", omittingEmptySubsequences: true).suffix(5)
            if !tail.isEmpty { text += "\n" + tail.map { "    \($0)" }.joined(separator: "\n") }
            line(text)
        case .notice:
            if let message = event.message { line(message) }
        }
    }

    /// Removes the status line before the command ends.
    package func finish() { clearStatus() }

    private func clearStatus() {
        guard mode == .live, statusShown else { return }
        write("\r\u{1B}[2K")
        statusShown = false
    }

    private func redraw(force: Bool) {
        guard mode == .live, !counts.isEmpty else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let parts = counts.keys.sorted().compactMap { stage -> String? in
            guard let c = counts[stage] else { return nil }
            var text = "\(stage) \(c.succeeded + c.failed)/\(c.tasks ?? 0)"
            if c.running > 0 { text += " (\(c.running) running)" }
            if c.failed > 0 { text += " \(c.failed) failed" }
            return text
        }
        let elapsed = String(format: "%.1fs", now.timeIntervalSince(runStart))
        write("\r\u{1B}[2K" + "swell: " + parts.joined(separator: " · ") + " · " + elapsed)
        statusShown = true
    }
}
