import Foundation
import SwellCore
import SwellPlan
import SwellProtocol

extension Scheduler {
    /// `swell run PLAN --continue RUN` (or `--retry-failed RUN`) after the shell found the run
    /// in the journal (`snapshot`, nil when it has no such run). The run goes on where it
    /// stopped: no task with a final report runs again, except, for `failed`, those that
    /// failed for good, and everything that reads the output of a stage they are in.
    mutating func resume(_ peer: Data, _ submit: Submit, status: RunStatus?, snapshot: RunSnapshot?,
                         _ now: Moment, _ effects: inout Effects) {
        guard let resume = submit.resume else { return }
        func reject(_ message: String) {
            effects.send(peer, .rejected(Rejected(id: messageID(), replyTo: submit.id, message: message)))
        }
        guard let status, var snapshot else { return reject("no run \(resume.run) in the journal") }
        guard runs[resume.run]?.status != .running, status != .running else {
            return reject(settings.embedded
                ? "run \(resume.run) is still running in another swell run: wait for its end, or stop that swell run"
                : "run \(resume.run) is still running: wait for its end, or stop it with swell cancel \(resume.run)")
        }
        guard snapshot.run.planText == submit.plan, snapshot.run.overrides == submit.overrides else {
            return reject("run \(resume.run) ran another plan (or other --set values) than \(submit.file): continue it with the plan it ran")
        }
        let plan: Plan
        do {
            plan = try PlanParser.parse(snapshot.run.planText, file: submit.file, overrides: snapshot.run.overrides)
        } catch {
            return reject(error.description)
        }
        // Nothing failed: --retry-failed has nothing to do, though --continue may (before, a
        // cancelled run went on as under --continue).
        if resume.failed, !snapshot.stages.contains(where: { $0.status == .failed }),
           !snapshot.reports.contains(where: { $0.final && !$0.report.succeeded }) {
            return reject("run \(resume.run) has no failed task to run again"
                + (status == .succeeded ? "" : " (--continue \(resume.run) goes on with it)"))
        }
        let reopened = Self.reopen(&snapshot, plan: plan, failed: resume.failed)
        if reopened.isEmpty {
            return reject(resume.failed ? "run \(resume.run) has no failed task to run again"
                : "run \(resume.run) \(status.rawValue): nothing of it is left to run" + (status == .failed ? " (--retry-failed runs its failed tasks again)" : ""))
        }
        let budget = (snapshot.run.budget ?? plan.budget ?? Budget()).overridden(by: submit.budget)
        snapshot.run.budget = budget.isEmpty ? nil : budget
        var spent = Spending()
        for (report, _) in snapshot.reports { spent.add(report) }
        if let why = snapshot.run.budget?.exhaustion(spent) {
            return reject("run \(resume.run) has spent its budget (\(why.replacingOccurrences(of: "budget exhausted: ", with: ""))): give a larger one with --budget")
        }
        // The journal first: the run is running again, reopened reports are not final, reset
        // stages start over.
        effects.journal(.runReopened(snapshot.run))
        for stage in reopened.retried { effects.journal(.reportsReopened(run: resume.run, stage: stage)) }
        for stage in reopened.reset { effects.journal(.stageReset(run: resume.run, stage: stage)) }
        for entry in snapshot.stages where reopened.changed.contains(entry.stage) {
            effects.journal(.stageChanged(run: resume.run, entry))
        }
        for (stage, shares) in snapshot.shares {
            for share in shares where reopened.orphaned.contains(ShareKey(stage: stage, share: share.index)) {
                effects.journal(.shareChanged(run: resume.run, stage: stage, share))
            }
        }
        runs[resume.run] = nil
        runOrder.removeAll { $0 == resume.run }
        restore(snapshot, at: now, afterEnd: true, into: &effects)
        guard runs[resume.run]?.status == .running else {
            // It could not be taken up (its plan no longer parses): the client hears why.
            return reject("run \(resume.run) could not be continued")
        }
        runs[resume.run]!.clients[peer] = submit.taskEvents
        runs[resume.run]!.continuedAt = now.wall
        effects.send(peer, .accepted(Accepted(id: messageID(), replyTo: submit.id, run: resume.run)))
        effects.queries.append(.streamOutput(peer: peer, run: resume.run, sinks: [], result: nil, from: nil))
        let done = runs[resume.run]!.stages.reduce(0) { $0 + $1.finalTasks }
        // Of all the run's tasks when every stage's scopes are known (a `lines-of` stage not
        // started yet has none so far).
        let known = runs[resume.run]!.stages.map { $0.status == .pending ? $0.scopes?.count : $0.tasks.count }
        let total = known.allSatisfy { $0 != nil } ? " of \(known.reduce(0) { $0 + $1! })" : ""
        notice(resume.run, "run \(resume.run) continues: \(done)\(total) task(s) already done are not run again"
               + (snapshot.run.budget.map { " (budget \($0.description); spent so far: \(Self.describe(spent)))" } ?? ""), &effects)
        // The stages that go on start again for this client, as new ones do: its progress
        // shows them from here, with the tasks they have done already.
        var run = runs[resume.run]!
        for stage in run.stages where stage.status == .running {
            event(&run, .stageStarted, stage: stage.id, counts: stage.counts, continued: true, &effects)
        }
        runs[resume.run] = run
        runs[resume.run]!.progressDirty = true
    }

    struct ShareKey: Hashable {
        var stage: String
        var share: Int
    }

    /// What reopening a run changes.
    struct Reopened {
        /// Stages whose failed final reports are final no more.
        var retried: [String] = []
        /// Stages that start over: their reports, shares and scopes go.
        var reset: [String] = []
        /// Stages whose journal row changes.
        var changed: Set<String> = []
        /// Shares to summarize again.
        var orphaned: Set<ShareKey> = []
        var isEmpty: Bool { changed.isEmpty }
    }

    /// Makes `snapshot` that of a run to go on with: stages the run's end cut short run again
    /// (`cancelled`: with the reports they have; `skipped`: from the start), and with `failed`,
    /// the tasks that failed for good run again, as does every stage that reads the output of a
    /// stage they are in.
    static func reopen(_ snapshot: inout RunSnapshot, plan: Plan, failed: Bool) -> Reopened {
        var result = Reopened()
        var retried: Set<String> = []
        if failed {
            for (i, entry) in snapshot.stages.enumerated() where entry.startedAt != nil {
                let failedTasks = Set(snapshot.reports.filter { $0.final && $0.report.stage == entry.stage && !$0.report.succeeded }
                    .map(\.report.index))
                guard !failedTasks.isEmpty || entry.status == .failed || entry.status == .cancelled else { continue }
                if entry.status == .failed, (entry.scopes ?? []).isEmpty,
                   !snapshot.reports.contains(where: { $0.report.stage == entry.stage }) {
                    // It failed before it had tasks (its scopes could not be made, its input
                    // was too large): it starts over, and makes them again.
                    snapshot.stages[i] = StageEntry(stage: entry.stage, status: .pending)
                    snapshot.shares[entry.stage] = nil
                    retried.insert(entry.stage)
                    result.reset.append(entry.stage)
                    result.changed.insert(entry.stage)
                    continue
                }
                retried.insert(entry.stage)
                result.retried.append(entry.stage)
                for r in snapshot.reports.indices where snapshot.reports[r].final && snapshot.reports[r].report.stage == entry.stage
                    && (!snapshot.reports[r].report.succeeded || snapshot.reports[r].report.index == -1) {
                    snapshot.reports[r].final = false
                    snapshot.reopened[entry.stage, default: []].insert(snapshot.reports[r].report.index)
                }
                // Shares that hold a task to run again are summarized again.
                for s in snapshot.shares[entry.stage]?.indices ?? (0..<0) {
                    let share = snapshot.shares[entry.stage]![s]
                    guard share.status == .done, failedTasks.contains(where: { share.range.contains($0) }) else { continue }
                    snapshot.shares[entry.stage]![s].status = .orphaned
                    snapshot.shares[entry.stage]![s].summary = nil
                    result.orphaned.insert(ShareKey(stage: entry.stage, share: share.index))
                }
                snapshot.stages[i].status = .running
                snapshot.stages[i].endedAt = nil
                snapshot.stages[i].error = nil
                result.changed.insert(entry.stage)
            }
        }
        // What reads a stage that runs again starts over; what the end cut short goes on,
        // unless it needs a stage that failed and does not run again: its input would be that
        // stage's partial output (before, such a stage ran on it). (As often as there are
        // stages, for plans that list a stage before one it needs.)
        var again = retried
        var blocked = Set(snapshot.stages.filter { $0.status == .failed && !retried.contains($0.stage) }.map(\.stage))
        for _ in snapshot.stages.indices {
        for (i, entry) in snapshot.stages.enumerated() where !result.changed.contains(entry.stage) {
            guard let stage = plan.stage(entry.stage) else { continue }
            if stage.dependencies.contains(where: blocked.contains) {
                blocked.insert(entry.stage)
                continue
            }
            if !retried.contains(entry.stage), stage.dependencies.contains(where: again.contains), entry.status != .pending {
                snapshot.stages[i] = StageEntry(stage: entry.stage, status: .pending)
                snapshot.reports.removeAll { $0.report.stage == entry.stage }
                snapshot.shares[entry.stage] = nil
                result.reset.append(entry.stage)
                result.changed.insert(entry.stage)
                again.insert(entry.stage)
                continue
            }
            switch entry.status {
            case .cancelled where entry.startedAt != nil:
                snapshot.stages[i].status = .running
                snapshot.stages[i].endedAt = nil
                snapshot.stages[i].error = nil
                result.changed.insert(entry.stage)
                again.insert(entry.stage)
            case .cancelled, .skipped:
                snapshot.stages[i] = StageEntry(stage: entry.stage, status: .pending)
                result.changed.insert(entry.stage)
                again.insert(entry.stage)
            default:
                break
            }
        }
        }
        return result
    }

    static func describe(_ spent: Spending) -> String {
        "cost \(Budget.number(spent.cost)), \(Budget.number((spent.taskSeconds * 10).rounded() / 10)) task-seconds"
    }
}
