import Foundation
import SwellCore
import SwellProtocol

extension Scheduler {
    /// A task ended on a node. Duplicates and reports of superseded attempts are dropped.
    mutating func reportReceived(_ message: ReportMessage, from node: String, _ now: Moment, _ effects: inout Effects) {
        let report = message.report
        guard var run = runs[report.run], run.status == .running, let s = run.stageIndex(report.stage) else {
            dropped.duplicates += 1
            return
        }
        if report.index == -1 {
            reduceReported(report, from: node, now, &effects)
            return
        }
        var stage = run.stages[s]
        guard report.index >= 0, report.index < stage.tasks.count else {
            dropped.malformed += 1
            return
        }
        var task = stage.tasks[report.index]
        guard report.attempt == task.attempt, task.status == .assigned, task.node == node else {
            dropped.duplicates += 1
            effects.log(.debug, "ignored a report of \(report.stage)[\(report.index)] attempt \(report.attempt) from \(node)")
            return
        }
        let retryKey = AssignmentKey(run: run.id, stage: stage.id, kind: .retry, share: task.share ?? -1,
                                     attempt: report.attempt, index: report.index)
        let wasRetry = assignments[retryKey] != nil
        complete(retryKey)
        var final = true
        if report.succeeded || report.error == "cancelled" {
            task.status = report.succeeded ? .succeeded : .failed
        } else {
            task.failures += 1
            task.failedOn = node
            if task.failures > stage.stage.retries {
                task.status = .failed
            } else {
                final = false
                task.status = .retryPending
                stage.retryQueue.append(report.index)
                effects.log(.info, "run \(run.id): \(stage.id)[\(report.index)] failed (\(report.outcome)); retry \(task.failures) of \(stage.stage.retries)")
            }
        }
        stage.tasks[report.index] = task
        if final { stage.reports[report.index] = report }
        nodes[node]?.tasksRun += 1
        effects.journal.reports.append((report, final))
        run.stages[s] = stage
        run.progressDirty = true
        var meta = report
        meta.stdout = Data()
        // Failures carry the end of their stderr, so that the user sees why at once.
        meta.stderrTail = report.succeeded ? Data() : Data(report.stderrTail.suffix(2048))
        for (peer, wantsTasks) in run.clients where wantsTasks || !report.succeeded {
            effects.send(peer, .event(Event(id: messageID(), run: run.id, kind: .taskFinished, stage: stage.id, report: meta)))
        }
        runs[run.id] = run
        // A retry's final report goes to the sub-orchestrator that waits for it to summarize its share.
        if final, wasRetry, let shareIndex = task.share, shareIndex < stage.shares.count,
           stage.shares[shareIndex].status == .running, let holder = nodes[stage.shares[shareIndex].node], holder.isLive {
            effects.send(holder.peer, .relay(Relay(id: messageID(), share: shareIndex, report: report)))
        }
        if final, task.status == .failed, stage.stage.onFailure == .stop {
            failStage(run.id, s, "task \(stage.id)[\(report.index)] \(Scope.label(report.scope)) failed: \(report.outcome)", now, &effects)
            return
        }
        checkStageComplete(run.id, s, now, &effects)
    }

    private mutating func reduceReported(_ report: Report, from node: String, _ now: Moment, _ effects: inout Effects) {
        guard var run = runs[report.run], let s = run.stageIndex(report.stage), var reduce = run.stages[s].reduce,
              reduce.status == .assigned, reduce.attempt == report.attempt, reduce.node == node else {
            dropped.duplicates += 1
            return
        }
        complete(AssignmentKey(run: report.run, stage: report.stage, kind: .reduce, share: -1, attempt: report.attempt, index: -1))
        let stage = run.stages[s].stage
        var final = true
        if report.succeeded || report.error == "cancelled" {
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
        effects.journal.reports.append((report, final))
        run.stages[s].reduce = reduce
        runs[report.run] = run
        checkStageComplete(report.run, s, now, &effects)
    }

    /// A share ended on its node: every task final, summary attached when the stage summarizes.
    mutating func summaryReceived(_ message: SummaryMessage, from node: String, _ now: Moment, _ effects: inout Effects) {
        let summary = message.summary
        guard var run = runs[summary.run], run.status == .running, let s = run.stageIndex(summary.stage) else {
            dropped.duplicates += 1
            return
        }
        var stage = run.stages[s]
        guard summary.share >= 0, summary.share < stage.shares.count else {
            dropped.malformed += 1
            return
        }
        var share = stage.shares[summary.share]
        guard share.status == .running, share.attempt == message.attempt, share.node == node else {
            dropped.duplicates += 1
            return
        }
        complete(AssignmentKey(run: run.id, stage: stage.id, kind: .share, share: share.index, attempt: share.attempt, index: share.first))
        share.status = .done
        share.summarized = message.summarized
        if message.summarized { share.summary = summary }
        stage.shares[summary.share] = share
        var failure: String?
        if message.summarized, !summary.succeeded {
            stage.summaryFailed = true
            failure = "summarize failed on share \(summary.share + 1): \(summary.error ?? "exit \(summary.exitCode.map(String.init) ?? "?")")"
            stage.error = stage.error ?? failure
        }
        run.stages[s] = stage
        runs[run.id] = run
        journalShare(run.id, stage, summary.share, &effects)
        if let failure, stage.stage.onFailure == .stop {
            failStage(run.id, s, "stage \(stage.id): \(failure)", now, &effects)
            return
        }
        checkStageComplete(run.id, s, now, &effects)
    }
}
