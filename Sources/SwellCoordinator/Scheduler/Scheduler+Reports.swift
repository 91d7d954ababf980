import Foundation
import SwellCore
import SwellProtocol

extension Scheduler {
    /// A task ended on a node. Duplicates and reports of superseded attempts are dropped.
    ///
    /// Runs once per task: it mutates the run in place (no copies of the run or stage held
    /// across a write), so that a report costs the same whatever the stage's size.
    mutating func reportReceived(_ message: ReportMessage, from node: String, _ now: Moment, _ effects: inout Effects) {
        var report = message.report
        // The node is who the coordinator knows it as, whatever the report claims.
        report.node = node
        let runID = report.run
        if !leases.held.isEmpty {
            let ref = LeaseRef(run: runID, stage: report.stage, index: report.index, attempt: report.attempt)
            if leases.held[ref]?.node == node { releaseLease(ref, &effects) }
        }
        // What an attempt the run takes in (not a duplicate) ran and cost counts against its budget.
        var taken = false
        defer { if taken { spend(report, now, &effects) } }
        if runs[runID]?.status != .running, keepLateSuccess(&report, from: node, &effects) {
            taken = true
            return
        }
        guard let s = runningStage(runID, report.stage) else { return }
        if report.index == -1 {
            reduceReported(report, from: node, now, &effects)
            return
        }
        guard report.index >= 0, report.index < runs[runID]!.stages[s].tasks.count else {
            dropped.malformed += 1
            return
        }
        let stage = runs[runID]!.stages[s].stage
        var task = runs[runID]!.stages[s].tasks[report.index]
        guard report.attempt == task.attempt, task.status == .assigned, task.node == node else {
            dropped.duplicates += 1
            effects.log(.debug, "ignored a report of \(report.stage)[\(report.index)] attempt \(report.attempt) from \(node)")
            return
        }
        taken = true
        // The share is the one the coordinator put the task in, whatever the report claims.
        if let share = task.share { report.share = share }
        let retryKey = AssignmentID.retry(run: runID, stage: stage.id, share: task.share ?? -1, index: report.index,
                                          attempt: report.attempt)
        let wasRetry = assignments[retryKey] != nil
        if wasRetry {
            complete(retryKey, &effects)
        } else if let shareIndex = task.share {
            // One task fewer for its share's node to run: a slot frees once the share drains.
            let share = runs[runID]!.stages[s].shares[shareIndex]
            taskEnded(in: .share(run: runID, stage: stage.id, share: shareIndex, first: share.first, attempt: share.attempt), on: node)
        }
        var final = true
        if report.succeeded, stage.timeoutPercent != nil {
            runs[runID]!.stages[s].durations.append(max(0, report.endedAt - report.startedAt))
        }
        var rateLimited: (waits: Int, retryAfter: Double?)?
        if report.succeeded || report.wasCancelled {
            task.status = report.succeeded ? .succeeded : .failed
        } else if case .interrupted? = report.error {
            // Stopped by its node through no fault of its own: it runs again, not counted.
            final = false
            task.status = .retryPending
            runs[runID]!.stages[s].retryQueue.append(report.index)
        } else if case .rateLimited(let after)? = report.error, let rule = stage.rateLimit, task.waits < rule.maxWaits {
            final = false
            task.waits += 1
            task.status = .retryPending
            rateLimited = (task.waits, after)
        } else {
            task.failures += 1
            task.failedOn = node
            if task.failures > stage.retries {
                task.status = .failed
            } else {
                final = false
                task.status = .retryPending
                runs[runID]!.stages[s].retryQueue.append(report.index)
                effects.log(.info, "run \(runID): \(stage.id)[\(report.index)] failed (\(report.outcome)); retry \(task.failures) of \(stage.retries)")
            }
        }
        runs[runID]!.stages[s].tasks[report.index] = task
        if final {
            runs[runID]!.stages[s].finalSeconds += max(0, report.endedAt - report.startedAt)
        } else {
            runs[runID]!.stages[s].retried += 1
        }
        if let rateLimited {
            waitOutRateLimit(runID, s, report.index, waits: rateLimited.waits, retryAfter: rateLimited.retryAfter, now, &effects)
        }
        if final { runs[runID]!.stages[s].keep(report) }
        runs[runID]!.progressDirty = true
        nodes[node]?.tasksRun += 1
        effects.journal(.reportReceived(report, final: final))
        var meta = report
        meta.stdout = Data()
        meta.stderrTail = Data()
        // Failures carry the end of their stderr, so that the user sees why at once.
        let stderr = report.succeeded ? nil : String(decoding: report.stderrTail.suffix(2048), as: UTF8.self)
        for (peer, wantsTasks) in runs[runID]!.clients where wantsTasks || !report.succeeded {
            effects.send(peer, .event(Event(id: messageID(), run: runID, kind: .taskFinished, stage: stage.id,
                                            report: meta, stderr: stderr)))
        }
        // A retry's final report goes to the sub-orchestrator that waits for it to summarize its share.
        if final, wasRetry, let shareIndex = task.share, shareIndex < runs[runID]!.stages[s].shares.count {
            let share = runs[runID]!.stages[s].shares[shareIndex]
            if share.status == .running, let holder = nodes[share.node], holder.isLive {
                effects.send(holder.peer, .relay(ReportMessage(id: messageID(), report: report)))
            }
        }
        if final, task.status == .failed, stage.onFailure == .stop {
            let scope = report.scope.isEmpty ? "" : " " + Scope.shown(report.scope)
            failStage(runID, s, "task \(stage.id)[\(report.index)]\(scope) failed: \(report.outcome)", now, &effects)
            return
        }
        checkStageComplete(runID, s, now, &effects)
    }

    private mutating func reduceReported(_ report: Report, from node: String, _ now: Moment, _ effects: inout Effects) {
        guard var run = runs[report.run], let s = run.stageIndex(report.stage), var reduce = run.stages[s].reduce,
              reduce.status == .assigned, reduce.attempt == report.attempt, reduce.node == node else {
            dropped.duplicates += 1
            return
        }
        complete(AssignmentID.reduce(run: report.run, stage: report.stage, attempt: report.attempt), &effects)
        defer { spend(report, now, &effects) }
        let stage = run.stages[s].stage
        var final = true
        if report.succeeded || report.wasCancelled {
            reduce.status = .done
        } else {
            reduce.failures += 1
            if reduce.failures > stage.retries {
                reduce.status = .done
            } else {
                final = false
                reduce.status = .pending
            }
        }
        if final { reduce.report = report }
        nodes[node]?.tasksRun += 1
        effects.journal(.reportReceived(report, final: final))
        run.stages[s].reduce = reduce
        runs[report.run] = run
        checkStageComplete(report.run, s, now, &effects)
    }

    /// A share ended on its node: every task final, summary attached when the stage summarizes.
    mutating func summaryReceived(_ message: SummaryMessage, from node: String, _ now: Moment, _ effects: inout Effects) {
        var summary = message.summary
        summary.node = node
        let runID = summary.run
        guard let s = runningStage(runID, summary.stage) else { return }
        guard summary.share >= 0, summary.share < runs[runID]!.stages[s].shares.count else {
            dropped.malformed += 1
            return
        }
        let stage = runs[runID]!.stages[s].stage
        var share = runs[runID]!.stages[s].shares[summary.share]
        guard share.status == .running, share.attempt == message.attempt, share.node == node else {
            dropped.duplicates += 1
            return
        }
        complete(AssignmentID.share(run: runID, stage: stage.id, share: share.index, first: share.first, attempt: share.attempt), &effects)
        share.status = .done
        if message.summarized {
            // Where the share lies is the coordinator's to say, whatever the summary claims.
            summary.first = share.first
            summary.count = share.count
            (summary.firstScope, summary.lastScope) = runs[runID]!.stages[s].bounds(first: share.first, count: share.count)
            share.summary = summary
        }
        runs[runID]!.stages[s].shares[summary.share] = share
        var failure: String?
        if message.summarized, !summary.succeeded {
            failure = "summarize failed on share \(summary.share + 1): \(summary.error ?? "exit \(summary.exitCode.map(String.init) ?? "?")")"
            runs[runID]!.stages[s].summaryFailed = true
            if runs[runID]!.stages[s].error == nil { runs[runID]!.stages[s].error = failure }
        }
        effects.journal(.shareChanged(run: runID, stage: stage.id, share))
        if let failure, stage.onFailure == .stop {
            failStage(runID, s, "stage \(stage.id): \(failure)", now, &effects)
            return
        }
        checkStageComplete(runID, s, now, &effects)
    }

    /// A task that succeeded before its run's end reached its node (a cancel, a failure that
    /// stopped the run): its report is journaled as final all the same, so that `--continue`
    /// does not run it again (before, the report was dropped and the task ran twice). What
    /// failed or was stopped is not taken: the run ended without it.
    private mutating func keepLateSuccess(_ report: inout Report, from node: String, _ effects: inout Effects) -> Bool {
        guard report.succeeded, let run = runs[report.run], let s = run.stageIndex(report.stage),
              report.index >= 0, report.index < run.stages[s].tasks.count else { return false }
        let task = run.stages[s].tasks[report.index]
        guard report.attempt == task.attempt, task.status == .assigned, task.node == node else { return false }
        if let share = task.share { report.share = share }
        runs[report.run]!.stages[s].tasks[report.index].status = .succeeded
        effects.journal(.reportReceived(report, final: true))
        return true
    }

    /// The index of `stage` in the run `runID` while that run is running; else nil, and the
    /// message that named them is counted as a duplicate (the run is over or not known here).
    private mutating func runningStage(_ runID: String, _ stage: String) -> Int? {
        guard let run = runs[runID] else {
            // Not a late copy of something already final: a run this coordinator never had, or forgot.
            dropped.unknownRun += 1
            return nil
        }
        guard let s = run.stageIndex(stage) else {
            dropped.malformed += 1
            return nil
        }
        guard run.status == .running else {
            dropped.duplicates += 1
            return nil
        }
        return s
    }
}
