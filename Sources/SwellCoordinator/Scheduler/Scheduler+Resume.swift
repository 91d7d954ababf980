import Foundation
import SwellCore
import SwellPlan
import SwellProtocol

extension Scheduler {
    /// Takes up a run the journal holds as unfinished: finished stages keep their outputs,
    /// final reports are kept and their tasks are never run again, work that was in flight waits
    /// (until `resumeGrace` has passed) for its node to join again and be adopted, and the rest
    /// goes back to the pool.
    ///
    /// - Parameter afterEnd: the run had ended (`--continue`, `--retry-failed`): attempts it
    ///   handed out without a report are not in the journal, and a node that ran one remembers
    ///   its key, so every unfinished task and reduction goes on from a new attempt number.
    mutating func restore(_ snapshot: RunSnapshot, at now: Moment, afterEnd: Bool = false, into effects: inout Effects) {
        let accepted = snapshot.run
        let plan: Plan
        do {
            plan = try PlanParser.parse(accepted.planText, file: accepted.file, overrides: accepted.overrides)
        } catch {
            effects.log(.error, "run \(accepted.id) cannot be resumed: its plan no longer parses: \(error)")
            effects.journal(.runFinished(run: accepted.id, status: .failed, endedAt: now.wall, error: "cannot be resumed: \(error)"))
            return
        }
        var run = RunState(id: accepted.id, plan: plan, createdAt: accepted.createdAt, staticScopes: accepted.scopes,
                           folder: accepted.folder, prompts: accepted.prompts)
        run.budget = accepted.budget
        if run.budget != nil { for (report, _) in snapshot.reports { run.spent.add(report) } }
        let until = now.monotonic + settings.resumeGrace
        for entry in snapshot.stages {
            if let s = run.stageIndex(entry.stage) { run.stages[s].restore(entry) }
        }
        // The outputs later stages read are made again from the final reports (the journal
        // keeps each output once, in its reports; journals of earlier versions kept them whole).
        for s in run.stages.indices where run.stages[s].isFinished && run.stages[s].consumed && run.stages[s].output == nil {
            (run.stages[s].output, run.stages[s].outputCut) = Self.output(of: run.stages[s], in: snapshot)
        }
        // A finished stage's counts are its final reports.
        for s in run.stages.indices where run.stages[s].isFinished {
            let id = run.stages[s].id
            run.stages[s].countFinished(snapshot.reports.lazy.filter { $0.final && $0.report.stage == id }
                .map { (index: $0.report.index, succeeded: $0.report.succeeded) })
        }
        for s in run.stages.indices where run.stages[s].status == .running {
            run.stages[s].stdin = run.stdin(ofStage: s)
            restoreStage(&run.stages[s], of: run.id, snapshot, until: until, afterEnd: afterEnd)
        }
        if afterEnd {
            for held in snapshot.assignments where run.stageIndex(held.id.stage) != nil { effects.journal(.assignmentRemoved(held.id)) }
        }
        runs[run.id] = run
        if !runOrder.contains(run.id) { runOrder.append(run.id) }
        // Leases its tasks held count until those attempts end (or are handed on, see sweepLeases).
        leases.addRun(run.id, limits: plan.limits, used: Set(plan.stages.flatMap(\.uses)))
        for lease in snapshot.leases {
            guard let s = run.stageIndex(lease.stage) else { continue }
            let ref = LeaseRef(run: lease.run, stage: lease.stage, index: lease.index, attempt: lease.attempt)
            // Still held in memory (a run continued on the coordinator that ran it): counted once.
            guard leases.held[ref] == nil else { continue }
            leases.take(ref, node: lease.node, names: run.stages[s].stage.uses, starting: false, at: now.monotonic)
        }
        let finished = run.stages.filter(\.isFinished).count
        effects.log(.info, "run \(run.id) of plan '\(plan.name)' resumed: \(finished) of \(run.stages.count) stage(s) done")
        startReadyStages(run.id, now, &effects)
        for s in runs[run.id]!.stages.indices { checkStageComplete(run.id, s, now, &effects) }
        checkRunComplete(run.id, now, &effects)
        // A run that had spent its budget when the coordinator stopped starts nothing more.
        if let why = runs[run.id]!.budget?.exhaustion(runs[run.id]!.spent) { exhaust(run.id, why, now, &effects) }
    }

    private mutating func restoreStage(_ stage: inout StageState, of runID: String, _ snapshot: RunSnapshot,
                                       until: ContinuousClock.Instant, afterEnd: Bool = false) {
        let id = stage.id
        let scopes = stage.scopes ?? []
        stage.scopes = scopes
        stage.tasks = TaskTable(count: scopes.count)
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
                task.status = report.succeeded ? .succeeded : .failed
                stage.keep(report)
            } else if !task.isFinal {
                // As reportReceived counted it: an interruption is nothing, a rate limit a wait.
                switch report.error {
                case .interrupted?: break
                case .rateLimited? where stage.stage.rateLimit.map({ task.waits < $0.maxWaits }) ?? false: task.waits += 1
                default:
                    task.failures += 1
                    task.failedOn = report.node
                }
            }
            stage.tasks[report.index] = task
        }
        // Shares: done ones keep their summary; the others are orphaned unless still assigned.
        for var share in snapshot.shares[id] ?? [] {
            guard share.index == stage.shares.count else { continue }
            if share.status == .done {
                if var summary = share.summary {
                    (summary.firstScope, summary.lastScope) = stage.bounds(first: share.first, count: share.count)
                    share.summary = summary
                }
            } else {
                share.status = .orphaned
                share.summary = nil
            }
            for index in share.range where stage.tasks.indices.contains(index) { stage.tasks[index].share = share.index }
            stage.shares.append(share)
            stage.nextScope = max(stage.nextScope, share.first + share.count)
        }
        // Work in flight: held for its node. Not after the run's end: nothing can still run it
        // (a run ends once its work has stopped, and one that ended with its `swell run` killed
        // outright took its tasks with it), so it goes back to the pool at once, from a new
        // attempt number, instead of waiting `resumeGrace` for a node that will not bring it.
        for held in snapshot.assignments where held.id.stage == id {
            if afterEnd {
                for task in held.tasks where stage.tasks.indices.contains(task.index) && !stage.tasks[task.index].isFinal {
                    stage.tasks[task.index].attempt = max(stage.tasks[task.index].attempt, task.attempt)
                }
                if held.id.kind == .reduce {
                    var state = reduce ?? ReduceState(command: stage.reduceCommand ?? stage.stage.run, stdin: Data())
                    guard state.status != .done else { continue }
                    state.attempt = max(state.attempt, held.id.attempt)
                    reduce = state
                }
                continue
            }
            let key = held.id
            switch key.kind {
            case .share:
                guard stage.shares.indices.contains(key.share), stage.shares[key.share].attempt == key.attempt,
                      stage.shares[key.share].status != .done else { continue }
                stage.shares[key.share].status = .awaiting
            case .retry:
                break
            case .reduce:
                var state = reduce ?? ReduceState(command: stage.reduceCommand ?? stage.stage.run, stdin: Data())
                guard state.status != .done else { continue }
                state.status = .assigned
                state.attempt = key.attempt
                state.node = held.node
                reduce = state
            }
            var outstanding = 0
            for task in held.tasks where stage.tasks.indices.contains(task.index) {
                guard !stage.tasks[task.index].isFinal else { continue }
                outstanding += 1
                stage.tasks[task.index].status = .assigned
                stage.tasks[task.index].node = held.node
                stage.tasks[task.index].attempt = max(stage.tasks[task.index].attempt, task.attempt)
            }
            restored[key] = RestoredAssignment(node: held.node, slots: held.slots, outstanding: outstanding, until: until)
        }
        if afterEnd {
            let reopened = snapshot.reopened[id] ?? []
            for index in stage.tasks.indices
            where !stage.tasks[index].isFinal && stage.tasks[index].attempt > 0 && !reopened.contains(index) {
                stage.tasks[index].attempt += 1
            }
            if var state = reduce, state.status != .done, !reopened.contains(-1) {
                state.attempt += 1
                reduce = state
            } else if reduce == nil {
                stage.reduceAttemptsBefore = 1
            }
        }
        // A task that failed and was waiting for its retry waits again.
        for index in stage.tasks.indices where stage.tasks[index].status == .waiting && stage.tasks[index].failures > 0 {
            stage.tasks[index].status = .retryPending
            stage.retryQueue.append(index)
        }
        stage.orphans = stage.shares.filter { $0.status == .orphaned }.count
        if var state = reduce {
            // A reduction that waits to run reads the stage as it is once every task and share is
            // done (``checkStageComplete`` makes its input then); one in flight read it already.
            if state.status == .pending { state.inputPending = true }
            if state.status == .assigned { state.stdin = stage.reduceInput(run: runID) }
            stage.reduce = state
        }
    }

    /// A finished stage's output, from its final reports in the snapshot.
    static func output(of stage: StageState, in snapshot: RunSnapshot) -> (output: Data, cut: Bool) {
        let finals = snapshot.reports.filter { $0.final && $0.report.stage == stage.id }.map(\.report)
        return stage.outputSource.render(report: { index in finals.first { $0.index == index } },
                                         reports: { finals.filter { $0.index >= 0 }.sorted { $0.index < $1.index } })
    }

    /// Takes back an assignment of a resumed run from the node that had it before the restart.
    mutating func adopt(_ key: AssignmentID, on name: String, _ now: Moment) -> Bool {
        guard let held = restored[key], held.node == name, runs[key.run]?.status == .running,
              let s = runs[key.run]!.stageIndex(key.stage) else { return false }
        restored[key] = nil
        if key.kind == .share, runs[key.run]!.stages[s].shares.indices.contains(key.share) {
            runs[key.run]!.stages[s].shares[key.share].status = .running
        }
        assignmentSequence += 1
        assignments[key] = Assignment(id: key, node: name, cap: held.slots, outstanding: held.outstanding,
                                      summarizes: key.kind == .share && runs[key.run]!.stages[s].stage.summarize != nil,
                                      sequence: assignmentSequence, message: nil, sentAt: now.monotonic, acknowledged: true)
        nodes[name]!.assignments.insert(key)
        rebalance(name)
        return true
    }

    /// Work of resumed runs whose node did not come back in time goes back to the pool.
    mutating func releaseUnadopted(_ now: Moment, _ effects: inout Effects) {
        for (key, held) in restored where now.monotonic >= held.until {
            restored[key] = nil
            effects.journal(.assignmentRemoved(key))
            guard runs[key.run]?.status == .running, let s = runs[key.run]!.stageIndex(key.stage) else { continue }
            if key.kind == .share, runs[key.run]!.stages[s].shares.indices.contains(key.share) {
                runs[key.run]!.stages[s].shares[key.share].status = .running
            }
            effects.log(.info, "run \(key.run): node \(held.node) did not come back for its \(key.kind.rawValue) of \(key.stage); it goes back to the pool")
            release(key, lostOn: held.node, now, &effects)
        }
    }
}
