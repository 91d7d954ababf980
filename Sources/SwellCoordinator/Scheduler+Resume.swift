import Foundation
package import SwellCore
package import SwellJournal
import SwellPlan
import SwellProtocol

/// What the journal holds of one unfinished run.
package struct RunSnapshot: Sendable {
    package var run: RunRecord
    package var stages: [StageRecord]
    package var shares: [ShareRecord]
    package var reports: [(report: Report, final: Bool)]
    package var assignments: [AssignmentRecord]

    package init(run: RunRecord, stages: [StageRecord], shares: [ShareRecord], reports: [(report: Report, final: Bool)],
                assignments: [AssignmentRecord]) {
        self.run = run
        self.stages = stages
        self.shares = shares
        self.reports = reports
        self.assignments = assignments
    }
}

/// An assignment of a resumed run, held for the node that had it before the restart.
struct RestoredAssignment: Sendable {
    var node: String
    var slots: Int
    var until: Double
}

extension Scheduler {
    /// Takes up a run the journal holds as unfinished: finished stages keep their outputs,
    /// final reports are kept and their tasks are never run again, work that was in flight waits
    /// (until `resumeGrace` has passed) for its node to join again and be adopted, and the rest
    /// goes back to the pool.
    package mutating func restore(_ snapshot: RunSnapshot, at now: Moment, into effects: inout Effects) {
        let record = snapshot.run
        let overrides = (try? JSONDecoder().decode([VarOverride].self, from: record.overrides)) ?? []
        let plan: Plan
        do {
            plan = try PlanParser.parse(record.planText, file: record.file, overrides: overrides.map { ($0.name, $0.value) })
        } catch {
            effects.log(.error, "run \(record.id) cannot be resumed: its plan no longer parses: \(error)")
            effects.journal.runStatus.append((record.id, RunStatus.failed.rawValue, now.wall, "cannot be resumed: \(error)"))
            return
        }
        let scopes = (try? JSONDecoder().decode([String: [String]].self, from: record.scopes)) ?? [:]
        var run = RunState(id: record.id, plan: plan, baseDirectory: record.baseDirectory, createdAt: record.createdAt,
                           staticScopes: scopes)
        let until = now.monotonic + settings.resumeGrace.inSeconds
        for stageRecord in snapshot.stages {
            guard let s = run.stageIndex(stageRecord.stage) else { continue }
            var stage = run.stages[s]
            stage.status = StageStatus(rawValue: stageRecord.status) ?? .pending
            stage.startedAt = stageRecord.startedAt
            stage.endedAt = stageRecord.endedAt
            stage.error = stageRecord.error
            stage.output = stageRecord.output
            if let data = stageRecord.scopes, let listed = try? JSONDecoder().decode([String].self, from: data) {
                stage.scopes = listed
            }
            run.stages[s] = stage
        }
        for s in run.stages.indices where run.stages[s].status == .running {
            restoreStage(&run, s, snapshot, until: until)
        }
        runs[run.id] = run
        if !runOrder.contains(run.id) { runOrder.append(run.id) }
        let finished = run.stages.filter(\.isFinished).count
        effects.log(.info, "run \(run.id) of plan '\(plan.name)' resumed: \(finished) of \(run.stages.count) stage(s) done")
        startReadyStages(run.id, now, &effects)
        for s in runs[run.id]!.stages.indices { checkStageComplete(run.id, s, now, &effects) }
        checkRunComplete(run.id, now, &effects)
    }

    private mutating func restoreStage(_ run: inout RunState, _ s: Int, _ snapshot: RunSnapshot, until: Double) {
        var stage = run.stages[s]
        let id = stage.id
        let scopes = stage.scopes ?? []
        stage.scopes = scopes
        stage.tasks = Array(repeating: TaskState(), count: scopes.count)
        stage.stdin = Data(stage.stage.needs.compactMap { need in run.stageIndex(need).flatMap { run.stages[$0].output } }.joined())
        // Reports: final ones end their task; failed ones count toward retries.
        var reduce: ReduceState?
        for (report, final) in snapshot.reports where report.stage == id {
            if report.index == -1 {
                var state = reduce ?? ReduceState(command: stage.reduceCommand ?? stage.stage.run, stdin: Data())
                state.attempt = max(state.attempt, report.attempt)
                if final {
                    state.status = .done
                    state.report = report
                } else {
                    state.failures += 1
                }
                reduce = state
                continue
            }
            guard report.index >= 0, report.index < stage.tasks.count else { continue }
            var task = stage.tasks[report.index]
            task.attempt = max(task.attempt, report.attempt)
            task.node = report.node
            task.share = report.share >= 0 ? report.share : task.share
            if final {
                if !task.isFinal { stage.finalTasks += 1 }
                task.status = report.succeeded ? .succeeded : .failed
                stage.reports[report.index] = report
            } else if !task.isFinal {
                task.failures += 1
                task.failedOn = report.node
            }
            stage.tasks[report.index] = task
        }
        // Shares: done ones keep their summary; the others are orphaned unless still assigned.
        for record in snapshot.shares.filter({ $0.stage == id }).sorted(by: { $0.share < $1.share }) {
            guard record.share == stage.shares.count else { continue }
            var share = ShareState(index: record.share, first: record.first, count: record.count, node: record.node,
                                   attempt: record.attempt)
            if record.status == "done" {
                share.status = .done
                if let output = record.summary {
                    share.summarized = true
                    share.summary = ShareSummary(
                        run: run.id, stage: id, share: record.share, first: record.first, count: record.count,
                        firstScope: scopes.indices.contains(record.first) ? scopes[record.first] : "",
                        lastScope: scopes.indices.contains(record.first + record.count - 1) ? scopes[record.first + record.count - 1] : "",
                        node: record.node, exitCode: record.summaryExit, error: record.summaryError, output: output)
                }
            } else {
                share.status = .orphaned
            }
            for index in record.first..<min(record.first + record.count, stage.tasks.count) { stage.tasks[index].share = record.share }
            stage.shares.append(share)
            stage.nextScope = max(stage.nextScope, record.first + record.count)
        }
        // Work in flight: held for its node.
        for record in snapshot.assignments where record.stage == id {
            let kind = AssignmentKind(rawValue: record.kind) ?? .share
            let key = AssignmentID(run: run.id, stage: id, kind: kind, share: record.share, first: record.first,
                                   attempt: record.attempt)
            switch kind {
            case .share:
                guard stage.shares.indices.contains(record.share), stage.shares[record.share].attempt == record.attempt,
                      stage.shares[record.share].status != .done else { continue }
                stage.shares[record.share].status = .awaiting(until: until)
            case .retry:
                break
            case .reduce:
                var state = reduce ?? ReduceState(command: stage.reduceCommand ?? stage.stage.run, stdin: Data())
                guard state.status != .done else { continue }
                state.status = .assigned
                state.attempt = record.attempt
                state.node = record.node
                reduce = state
            }
            for pair in record.tasks where pair.count == 2 && stage.tasks.indices.contains(pair[0]) {
                guard !stage.tasks[pair[0]].isFinal else { continue }
                stage.tasks[pair[0]].status = .assigned
                stage.tasks[pair[0]].node = record.node
                stage.tasks[pair[0]].attempt = max(stage.tasks[pair[0]].attempt, pair[1])
            }
            restored[key] = RestoredAssignment(node: record.node, slots: record.slots, until: until)
        }
        // A task that failed and was waiting for its retry waits again.
        for index in stage.tasks.indices where stage.tasks[index].status == .waiting && stage.tasks[index].failures > 0 {
            stage.tasks[index].status = .retryPending
            stage.retryQueue.append(index)
        }
        if var state = reduce {
            if state.status != .done {
                // The reduction's input is rebuilt from the summaries or the reports.
                state.stdin = stage.stage.summarize != nil
                    ? stage.stage.input.render(summaries: stage.orderedSummaries)
                    : stage.stage.input.render(reports: stage.orderedReports)
            }
            stage.reduce = state
        }
        run.stages[s] = stage
    }

    /// Takes back an assignment of a resumed run from the node that had it before the restart.
    mutating func adopt(_ key: AssignmentID, on name: String, _ now: Moment) -> Bool {
        guard let held = restored[key], held.node == name, runs[key.run]?.status == .running,
              let s = runs[key.run]!.stageIndex(key.stage) else { return false }
        restored[key] = nil
        if key.kind == .share, runs[key.run]!.stages[s].shares.indices.contains(key.share) {
            runs[key.run]!.stages[s].shares[key.share].status = .running
        }
        assignments[key] = Assignment(key: key, node: name, slots: held.slots, messageID: 0, frames: [],
                                      sentAt: now.monotonic, acknowledged: true)
        nodes[name]!.used += held.slots
        nodes[name]!.assignments.insert(key)
        return true
    }

    /// Work of resumed runs whose node did not come back in time goes back to the pool.
    mutating func releaseUnadopted(_ now: Moment, _ effects: inout Effects) {
        for (key, held) in restored where now.monotonic >= held.until {
            restored[key] = nil
            journalRemoved(key, &effects)
            guard runs[key.run]?.status == .running, let s = runs[key.run]!.stageIndex(key.stage) else { continue }
            if key.kind == .share, runs[key.run]!.stages[s].shares.indices.contains(key.share) {
                runs[key.run]!.stages[s].shares[key.share].status = .running
            }
            effects.log(.info, "run \(key.run): node \(held.node) did not come back for its \(key.kind.rawValue) of \(key.stage); it goes back to the pool")
            release(key, lostOn: held.node, now, &effects)
        }
    }
}
