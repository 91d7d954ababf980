import Foundation
import SwellCore
import SwellPlan
import SwellProtocol

/// One stage of a run.
struct StageState: Sendable {
    let stage: Stage
    var status: StageStatus = .pending
    /// Nil until known (a `lines-of` stage learns them when its source finishes).
    var scopes: [String]?
    var tasks = TaskTable()
    /// Tasks waiting for a retry, oldest first.
    var retryQueue: [Int] = []
    /// Tasks waiting out a rate limit before they go in `retryQueue`, and until when.
    var delayed: [(index: Int, until: ContinuousClock.Instant, wall: Double)] = []
    var shares: [ShareState] = []
    /// Shares whose node was lost, waiting to be handed out again.
    var orphans = 0
    /// Scopes before this index are in a share.
    var nextScope = 0
    var stdin = Data()
    /// What outputs read of the final reports, kept while the stage runs; a task that succeeded
    /// with no output has no entry.
    var kept: [Int: KeptReport] = [:]
    /// Slots its tasks hold on nodes: the tasks running, or about to start in a free slot.
    var running = 0
    var reduce: ReduceState?
    /// Reduction attempts that may have been handed out before the run was continued (their
    /// numbers are not used again).
    var reduceAttemptsBefore = 0
    /// A later stage reads this stage's output (its `needs`, or `lines-of`): it is rendered in
    /// memory when the stage ends. A sink's output is never rendered here; clients get it
    /// from the journal.
    var consumed = false
    /// The stage ended with an output (it is in the journal's reports).
    var outputReady = false
    /// Every task before this scope index has its final report: for a stage whose output is
    /// its reports, that much of it can be streamed. Moved on by ``sinkProgress()``.
    var finalPrefix = 0
    /// The output, while a later stage of a running run needs it.
    var output: Data?
    /// A report in that output was cut at its node's output cap.
    var outputCut = false
    var startedAt: Double?
    var endedAt: Double?
    var error: String?
    var summaryFailed = false
    /// How long the stage's tasks that succeeded ran, in seconds (kept for `timeout: N%` only).
    var durations: [Double] = []
    /// Attempts that left their task to run again, and how long the final attempts ran in all
    /// (for progress: see ``StageCounts``).
    var retried = 0
    var finalSeconds = 0.0
    /// How long its tasks ran in the plan's latest earlier runs, when that is known.
    var estimates: DurationEstimates?
    /// Its shares wait, from then, until the shell has looked in the journal for those
    /// durations (at most ``Scheduler/estimatesWait``).
    var awaitingEstimatesSince: ContinuousClock.Instant?
    /// Since when no live node has the stage's labels (the stage waits for one to join).
    var waitingForLabelsSince: ContinuousClock.Instant?
    /// A `lines-of` stage's scopes, split from its source's output away from the coordinator's
    /// loop (a million lines take seconds in a debug build): asked for, then made, and the
    /// stage starts with them.
    var split: ScopeSplit?

    enum ScopeSplit: Sendable {
        case asked
        case made(Result<[String], LinesOfError>)
    }

    init(stage: Stage, staticScopes: [String]?) {
        self.stage = stage
        if !stage.isFanOut {
            scopes = [""]
        } else {
            scopes = staticScopes
        }
    }

    var id: String { stage.id }

    /// The median duration of the tasks that succeeded, once 3 have (for `timeout: N%`).
    var medianDuration: Double? {
        guard durations.count >= 3 else { return nil }
        let sorted = durations.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
    var isFinished: Bool { status.isFinished }

    var counts: StageCounts {
        StageCounts(tasks: scopes?.count, succeeded: tasks.number(.succeeded), failed: tasks.number(.failed),
                    running: running, shares: shares.count, retried: retried, taskSeconds: finalSeconds)
    }

    /// Tasks with a final report.
    var finalTasks: Int { tasks.number(.succeeded) + tasks.number(.failed) }
    var allTasksFinal: Bool { finalTasks == tasks.count }
    var anyTaskFailed: Bool { tasks.number(.failed) > 0 }

    /// Whether final reports are kept in memory while the stage runs: for its output when a
    /// later stage reads it, for its share summaries and for its reduction.
    var keepsReports: Bool { consumed || stage.summarize != nil || (stage.isFanOut && reduceCommand != nil) }

    /// Keeps what outputs read of a task's final report.
    mutating func keep(_ report: Report) {
        guard keepsReports else { return }
        if report.succeeded && report.stdout.isEmpty { return }
        kept[report.index] = KeptReport(report)
    }

    /// The final report of the task at `index`, as outputs read it.
    func finalReport(_ index: Int, run: String) -> Report {
        (kept[index] ?? KeptReport()).report(run: run, stage: id, index: index, scope: scopes?[index] ?? "",
                                             share: tasks[index].share ?? -1)
    }

    /// Reports of every task, in scope order (final ones only).
    func orderedReports(run: String) -> [Report] {
        tasks.indices.filter { tasks[$0].isFinal }.map { finalReport($0, run: run) }
    }

    var orderedSummaries: [ShareSummary] { shares.sorted { $0.index < $1.index }.compactMap(\.summary) }

    /// The command that reduces this stage after its shares, if any: `synthesize`, else
    /// `summarize` again over the share summaries (a tree reduction).
    var reduceCommand: Command? { stage.synthesize ?? stage.summarize }

    /// What the reduction reads: the share summaries in share order when the stage summarizes,
    /// else the reports in scope order.
    func reduceInput(run: String) -> Data {
        stage.summarize != nil ? stage.input.render(summaries: orderedSummaries) : stage.input.render(reports: orderedReports(run: run))
    }

    /// The first and last scope of `first..<first + count` ("" where there is none).
    func bounds(first: Int, count: Int) -> (first: String, last: String) {
        let scopes = scopes ?? []
        guard count > 0 else { return ("", "") }
        return (scopes.indices.contains(first) ? scopes[first] : "",
                scopes.indices.contains(first + count - 1) ? scopes[first + count - 1] : "")
    }

    /// The output, from the kept reports, and whether a report in it was cut at the output
    /// cap. The kept reports go as they are rendered, so that a large output is not held twice.
    mutating func takeOutput(run: String) -> (output: Data, cut: Bool) {
        guard case .reports(_, let format, _) = outputSource else {
            defer { kept = [:] }
            return outputSource.render(report: { $0 == -1 ? reduce?.report : finalReport($0, run: run) }, reports: { [] })
        }
        var output = Data()
        output.reserveCapacity(kept.values.reduce(0) { $0 + $1.stdout.count })
        var cut = false
        for index in tasks.indices where tasks[index].isFinal {
            let report = finalReport(index, run: run)
            kept[index] = nil
            cut = cut || report.stdoutTruncated
            if format == .concat { output.append(report.stdout) } else { output.append(format.render(reports: [report])) }
        }
        kept = [:]
        return (output, cut)
    }

    /// Where the output is: a reduction's stdout, a single task's, or the reports rendered in
    /// scope order.
    var outputSource: OutputSource {
        guard outputReady else { return .none }
        if stage.isFanOut, reduceCommand != nil { return .report(stage: id, index: -1) }
        if !stage.isFanOut { return .report(stage: id, index: 0) }
        return .reports(stage: id, format: stage.input, upTo: scopes?.count ?? 0)
    }

    /// A fan-out without `summarize` or `synthesize`: its output is its reports in scope order,
    /// so that it can go to clients as its tasks finish, in that order.
    var streamsAsItRuns: Bool { stage.isFanOut && reduceCommand == nil }

    /// How much of the output can be read from the journal now, as a sink streams it: the
    /// reports of the first tasks that all have their final one while such a stage runs (and
    /// after it ended, however it ended: a stage stopped by a failure keeps what came before
    /// it); any other output once the stage has ended.
    mutating func sinkProgress() -> SinkProgress {
        if isFinished, outputReady || !streamsAsItRuns { return SinkProgress(source: outputSource, complete: true) }
        if streamsAsItRuns, status != .pending, status != .skipped {
            while finalPrefix < tasks.count, tasks[finalPrefix].isFinal { finalPrefix += 1 }
            return SinkProgress(source: .reports(stage: id, format: stage.input, upTo: finalPrefix), complete: isFinished)
        }
        return isFinished ? .nothing : SinkProgress(source: nil, complete: false)
    }

    /// Takes what the journal kept of the stage (after a restart).
    mutating func restore(_ entry: StageEntry) {
        status = entry.status
        startedAt = entry.startedAt
        endedAt = entry.endedAt
        error = entry.error
        output = entry.output
        outputReady = entry.outputReady ?? (entry.output != nil)
        if let scopes = entry.scopes { self.scopes = scopes }
    }

    /// A finished stage's tasks, from its final reports: each task with one succeeded or failed.
    mutating func countFinished(_ outcomes: some Sequence<(index: Int, succeeded: Bool)>) {
        tasks = TaskTable(count: scopes?.count ?? 0)
        for outcome in outcomes where outcome.index >= 0 && outcome.index < tasks.count {
            tasks[outcome.index].status = outcome.succeeded ? .succeeded : .failed
        }
        nextScope = tasks.count
    }

    /// The stage as the journal keeps it; with its scopes when asked. Its output is not kept:
    /// it is made again from the reports.
    func entry(scopes withScopes: Bool = false) -> StageEntry {
        StageEntry(stage: id, status: status, scopes: withScopes ? scopes : nil, outputReady: outputReady,
                   startedAt: startedAt, endedAt: endedAt, error: error)
    }
}
