import Foundation
import SwellCore
import SwellPlan
package import SwellProtocol

/// Progress and diagnostics of `swell run` on stderr: on a terminal, a block of one line per
/// running stage redrawn below the permanent lines; plain lines otherwise; or only what went
/// wrong. Never writes to stdout.
package final class ProgressReporter {
    package enum Mode: String, Sendable, CaseIterable {
        /// A redrawn block, one line per running stage (stderr is a terminal).
        case tty
        /// Plain lines, a progress line at most every 5 s per stage.
        case plain
        /// Only what went wrong: failed attempts, waits, notices, and a run that did not succeed.
        case none
    }

    let mode: Mode
    private var started: [String: Date] = [:]
    private var counts: [String: StageCounts] = [:]
    /// Running stages in the order they started: the block's lines.
    private var order: [String] = []
    private var lastPlain: [String: Date] = [:]
    private var lastDraw = ContinuousClock.now - .seconds(1)
    /// The block changed since it was last drawn.
    private var pending = false
    /// The block's lines on the terminal now, as drawn.
    private var shown: [String] = []
    private var shownWidth = 0
    private let runStart = Date()
    private let writer: (String) -> Void
    private let terminalWidth: () -> Int

    /// At most this many redraws a second.
    static let redrawsPerSecond = 10

    /// - Parameters:
    ///   - write: where the text goes (stderr).
    ///   - width: the terminal's width in columns, asked at each redraw (so that a resize shows).
    package init(mode: Mode, write: @escaping (String) -> Void = StandardStreams.err,
                 width: @escaping () -> Int = ProgressReporter.stderrWidth) {
        self.mode = mode
        self.writer = write
        self.terminalWidth = width
    }

    /// tty when stderr is a terminal that can move its cursor, else plain.
    package static var automatic: Mode {
        guard isatty(2) == 1 else { return .plain }
        let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
        return term == "dumb" || term.isEmpty ? .plain : .tty
    }

    /// The width of the terminal on stderr, 80 when it does not say.
    package static func stderrWidth() -> Int {
        var size = winsize()
        guard ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    func write(_ text: String) {
        writer(text)
    }

    /// A permanent line: progress (left out under `none`) or something the user must see.
    package func line(_ text: String, progress: Bool = false) {
        if progress && mode == .none { return }
        clearBlock()
        // Scopes, node names and stderr come from elsewhere: shown, never obeyed.
        write("swell: \(TerminalText.visible(text))\n")
        pending = true
        redraw()
    }

    package func runStarted(_ run: String, plan: String) {
        line("run \(run) started (plan \(plan))", progress: true)
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
            if !order.contains(stage) { order.append(stage) }
            let tasks = event.counts?.tasks ?? 0
            // A stage of a continued run goes on with the tasks it has done (none, perhaps).
            if event.continued == true || (event.counts?.done ?? 0) > 0, let done = event.counts?.done {
                line("stage \(stage) goes on: \(done) of \(tasks) task\(tasks == 1 ? "" : "s") done before", progress: true)
            } else {
                line("stage \(stage) started: \(tasks) task\(tasks == 1 ? "" : "s")", progress: true)
            }
        case .progress:
            counts[stage] = event.counts
            if !order.contains(stage) { order.append(stage) }
            if mode == .plain, let c = event.counts, Date().timeIntervalSince(lastPlain[stage] ?? started[stage] ?? runStart) >= 5 {
                lastPlain[stage] = Date()
                var text = "stage \(stage): \(c.done)/\(c.tasks.map(String.init) ?? "?") done, \(c.running) running, \(c.failed) failed"
                if let retried = c.retried, retried > 0 { text += ", \(retried) retried" }
                if let eta = Self.estimate(c) { text += ", about \(Durations.format(.seconds(eta))) left" }
                line(text, progress: true)
            } else {
                pending = true
                redraw()
            }
        case .stageFinished:
            counts[stage] = nil
            order.removeAll { $0 == stage }
            if event.status == .skipped {
                line("stage \(stage) not run", progress: true)
                return
            }
            let c = event.counts ?? StageCounts(tasks: 0)
            if event.status == .failed, c.done == 0, c.running == 0, (c.tasks ?? 0) == 0 {
                // Its scopes could not be made, or its input was too large: the run's last
                // line says why.
                line("stage \(stage) failed before any task started", progress: true)
                return
            }
            // The coordinator's measure: this client may have seen the events late (its stdout
            // blocked, or away while the coordinator restarted).
            let seconds = event.seconds ?? Date().timeIntervalSince(started[stage] ?? runStart)
            let failed = c.failed > 0 ? ", \(c.failed) failed" : ""
            let retried = (c.retried ?? 0) > 0 ? ", \(c.retried!) retried" : ""
            // A stage that the run's end cut short (a failure that stops the run, a cancel).
            let left = (c.tasks ?? 0) - c.done
            let unfinished = left > 0 && event.status != .succeeded ? ", \(left) unfinished" : ""
            let ended = event.status == .cancelled ? "stopped" : "finished"
            line("stage \(stage) \(ended): \(c.succeeded) of \(c.tasks ?? 0) task\(c.tasks == 1 ? "" : "s") succeeded\(failed)\(unfinished)\(retried) in \(Durations.format(.seconds(seconds)))",
                 progress: true)
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

    /// Draws a redraw that the rate held back, once it may, and the block again when the
    /// terminal's width changed (the caller's loop calls this often, events or not).
    package func tick() {
        if mode == .tty, !shown.isEmpty, terminalWidth() != shownWidth { pending = true }
        redraw()
    }

    /// Removes the block before the command ends.
    package func finish() {
        clearBlock()
        pending = false
    }

    /// Seconds left, from the mean duration of the tasks with a final report and the tasks
    /// running now; nil until a task has finished or while the stage's size is unknown.
    static func estimate(_ c: StageCounts) -> Double? {
        guard let tasks = c.tasks, let seconds = c.taskSeconds, c.done > 0, tasks > c.done else { return nil }
        let mean = seconds / Double(c.done)
        return Double(tasks - c.done) * mean / Double(max(1, c.running))
    }

    private func clearBlock() {
        guard mode == .tty, !shown.isEmpty else { return }
        write(Self.erase(shown, drawnAt: shownWidth, width: terminalWidth()))
        shown = []
    }

    private func redraw() {
        guard mode == .tty, pending else { return }
        let now = ContinuousClock.now
        guard now - lastDraw >= .milliseconds(1000 / Self.redrawsPerSecond) else { return }
        lastDraw = now
        pending = false
        let width = terminalWidth()
        let lines = Self.block(order.compactMap { stage in counts[stage].map { (stage, $0) } }, width: width)
        var text = shown.isEmpty ? "" : Self.erase(shown, drawnAt: shownWidth, width: width)
        for line in lines { text += line + "\n" }
        write(text)
        shown = lines
        shownWidth = width
    }

    /// What moves the cursor back to the first line of a block drawn at `drawnAt` columns and
    /// erases to the end of the screen. A terminal made narrower since has rewrapped the lines
    /// (tmux and most terminals do), so each takes as many rows as it now needs.
    static func erase(_ lines: [String], drawnAt: Int, width: Int) -> String {
        let rows = lines.reduce(0) { rows, line in
            let columns = line.count
            return rows + (width < drawnAt && width > 0 ? max(1, (columns + width - 1) / width) : 1)
        }
        return "\r\u{1B}[\(rows)A\u{1B}[J"
    }

    /// The block's lines: one per running stage, each made to fit `width` columns (less one, so
    /// that no terminal wraps it): the bar goes first, then the least telling facts (nodes,
    /// retries, the estimate, failures, running), and what still does not fit is cut.
    static func block(_ stages: [(String, StageCounts)], width: Int) -> [String] {
        let room = max(10, width - 1)
        let name = min(stages.map { $0.0.count }.max() ?? 0, max(8, room / 4))
        return stages.map { stage, c in
            var label = String(stage.prefix(name))
            label += String(repeating: " ", count: name - label.count)
            // Shown in this order; left out from the last priority up.
            var fields: [(text: String, priority: Int)] = [("\(c.done)/\(c.tasks.map(String.init) ?? "?")", 0)]
            if c.running > 0 { fields.append(("\(c.running) running", 1)) }
            if c.failed > 0 { fields.append(("\(c.failed) failed", 2)) }
            if let retried = c.retried, retried > 0 { fields.append(("\(retried) retried", 4)) }
            if let nodes = c.nodes, nodes > 0 { fields.append(("\(nodes) node\(nodes == 1 ? "" : "s")", 5)) }
            if let eta = estimate(c) { fields.append(("ETA \(Durations.format(.seconds(eta.rounded(.up))))", 3)) }
            var facts: String { fields.map(\.text).joined(separator: "  ") }
            while fields.count > 1, label.count + 2 + facts.count > room,
                  let lowest = fields.indices.max(by: { fields[$0].priority < fields[$1].priority }) {
                fields.remove(at: lowest)
            }
            // The bar takes what is left, between 10 and 30 columns; without room for it, none.
            let barWidth = min(30, room - label.count - facts.count - 6)
            var text = label + "  "
            if barWidth >= 10 {
                text += "[" + bar(c, width: barWidth) + "]  "
            }
            text += facts
            return text.count <= room ? text : String(text.prefix(room))
        }
    }

    /// `width` cells: done (failed ones shown apart), running, and what waits.
    static func bar(_ c: StageCounts, width: Int) -> String {
        guard let tasks = c.tasks, tasks > 0 else { return String(repeating: "·", count: width) }
        let cells = { (n: Int) in Int((Double(min(n, tasks)) * Double(width) / Double(tasks)).rounded(.down)) }
        let succeeded = cells(c.succeeded)
        let failed = min(width - succeeded, max(c.failed > 0 ? 1 : 0, cells(c.failed)))
        let running = min(width - succeeded - failed, cells(c.running))
        return String(repeating: "█", count: succeeded) + String(repeating: "x", count: failed)
            + String(repeating: "▒", count: running) + String(repeating: "·", count: width - succeeded - failed - running)
    }
}
