import Foundation
import SwellCore
import SwellPlan
import SwellProtocol

extension Scheduler {
    // MARK: Submitting and attaching

    mutating func submit(_ peer: Data, _ submit: Submit, _ now: Moment, _ effects: inout Effects) {
        if let resume = submit.resume {
            if runs[resume.run]?.status == .running {
                effects.send(peer, .rejected(Rejected(id: messageID(), replyTo: submit.id,
                                                      message: "run \(resume.run) is still running")))
            } else {
                effects.queries.append(.resumeRun(peer: peer, submit))
            }
            return
        }
        let plan: Plan
        do {
            plan = try PlanParser.parse(submit.plan, file: submit.file, overrides: submit.overrides)
        } catch {
            effects.send(peer, .rejected(Rejected(id: messageID(), replyTo: submit.id, message: error.description)))
            return
        }
        let folder = submit.folder ?? ""
        if let problem = RunFolder.problem(folder) {
            effects.send(peer, .rejected(Rejected(id: messageID(), replyTo: submit.id, message: problem)))
            return
        }
        // Static scopes come from the client's listing; check them as the plan format requires.
        var scopes: [String: [String]] = [:]
        for stage in plan.stages {
            guard let partition = stage.partition, partition.sourceStage == nil else { continue }
            if case .items(let items) = partition {
                scopes[stage.id] = items
                continue
            }
            guard let listed = submit.scopes[stage.id] else {
                let message = "\(stage.location(of: "partition")): the scopes of stage '\(stage.id)' were not sent with the plan"
                effects.send(peer, .rejected(Rejected(id: messageID(), replyTo: submit.id, message: message)))
                return
            }
            if let overlap = Scope.firstOverlap(in: listed) {
                let message = "\(stage.location(of: "partition")): scopes overlap: \(Scope.overlapDescription(overlap.firstPath, overlap.secondPath))"
                effects.send(peer, .rejected(Rejected(id: messageID(), replyTo: submit.id, message: message)))
                return
            }
            scopes[stage.id] = listed
        }
        let prompts = submit.prompts ?? [:]
        if let stage = plan.stages.first(where: { $0.prompt != nil && prompts[$0.id] == nil }) {
            let message = "\(stage.location(of: "prompt")): the prompt of stage '\(stage.id)' was not sent with the plan"
            effects.send(peer, .rejected(Rejected(id: messageID(), replyTo: submit.id, message: message)))
            return
        }
        let runs = self.runs
        let id = runIDs.next(at: now.wall) { runs[$0] != nil }
        var run = RunState(id: id, plan: plan, createdAt: now.wall, staticScopes: scopes, folder: folder, prompts: prompts)
        let budget = (plan.budget ?? Budget()).overridden(by: submit.budget)
        run.budget = budget.isEmpty ? nil : budget
        run.clients[peer] = submit.taskEvents
        self.runs[id] = run
        runOrder.append(id)
        leases.addRun(id, limits: plan.limits, used: Set(plan.stages.flatMap(\.uses)))
        effects.journal(.runAccepted(RunAcceptance(
            id: id, name: plan.name, file: submit.file, planText: submit.plan, overrides: submit.overrides, scopes: scopes,
            createdAt: now.wall, folder: folder, prompts: prompts, budget: run.budget)))
        effects.send(peer, .accepted(Accepted(id: messageID(), replyTo: submit.id, run: id)))
        effects.log(.info, "run \(id) of plan '\(plan.name)' accepted: \(plan.stages.count) stage(s)")
        // The client gets the sink outputs as they can be read, from now on.
        effects.queries.append(.streamOutput(peer: peer, run: id, sinks: [], result: nil, from: nil))
        // A limit the plan leaves to the coordinator, which has none of that name, limits nothing.
        let open = Set(plan.stages.flatMap(\.uses)).filter { name in
            let rule = plan.limits[name] ?? LimitRule()
            return rule.concurrent == nil && rule.startsPerMinute == nil && settings.limits[name] == nil
        }
        for name in open.sorted() {
            let message = "limit \(name) has no numbers: the plan leaves them to the coordinator, which has no --limit \(name); its stages are not limited"
            effects.log(.info, "run \(id): \(message)")
            notice(id, message, &effects)
        }
        startReadyStages(id, now, &effects)
    }

    mutating func attach(_ peer: Data, _ attach: Attach, _ now: Moment, _ effects: inout Effects) {
        guard runs[attach.run] != nil else {
            effects.queries.append(.finishedRun(peer: peer, attach))
            return
        }
        runs[attach.run]!.clients[peer] = attach.taskEvents
        effects.send(peer, .accepted(Accepted(id: messageID(), replyTo: attach.id, run: attach.run)))
        let result = runs[attach.run]!.result
        let sinks = result == nil ? runs[attach.run]!.sinkProgress() : runs[attach.run]!.toldSinks
        effects.queries.append(.streamOutput(peer: peer, run: attach.run, sinks: sinks, result: result, from: attach.outputFrom))
        if result == nil { runs[attach.run]!.progressDirty = true }
    }

    // MARK: Stages

    /// Starts every pending stage whose dependencies have all finished.
    mutating func startReadyStages(_ runID: String, _ now: Moment, _ effects: inout Effects) {
        guard var run = runs[runID], run.status == .running else { return }
        var started = true
        while started {
            started = false
            for i in run.stages.indices where run.stages[i].status == .pending {
                let stage = run.stages[i].stage
                let dependencies = stage.dependencies.compactMap { run.stageIndex($0) }
                guard dependencies.allSatisfy({ run.stages[$0].isFinished }) else { continue }
                if dependencies.contains(where: { [.cancelled, .skipped].contains(run.stages[$0].status) }) {
                    run.stages[i].status = .skipped
                    effects.journal(.stageChanged(run: run.id, run.stages[i].entry()))
                    started = true
                    continue
                }
                if let source = stage.partition?.sourceStage, let s = run.stageIndex(source) {
                    guard case .made = run.stages[i].split else {
                        // It stays pending until the shell hands back its scopes
                        // (``scopesSplit(_:stage:_:_:_:)``).
                        if run.stages[i].split == nil {
                            run.stages[i].split = .asked
                            effects.queries.append(.splitLines(run: run.id, stage: stage.id, source: source,
                                                               output: run.stages[s].output ?? Data(), cut: run.stages[s].outputCut))
                        }
                        continue
                    }
                }
                var state = run.stages[i]
                state.status = .running
                state.startedAt = now.wall
                state.stdin = run.stdin(ofStage: i)
                // A stage that fails before it has tasks keeps no scopes: its task count stays
                // unknown, and --retry-failed makes them again.
                if let problem = tooLarge(state.stdin.count, "the input of stage '\(stage.id)' (the outputs of its needs)") {
                    state.error = problem
                    state.scopes = nil
                }
                if case .made(let made) = state.split {
                    state.split = nil
                    switch made {
                    case .success(let scopes) where state.error == nil: state.scopes = scopes
                    case .success: break
                    case .failure(let error):
                        state.scopes = nil
                        state.error = error.message
                    }
                }
                state.tasks = TaskTable(count: state.scopes?.count ?? 0)
                if stage.isFanOut, stage.order == .longestFirst, (2...DurationEstimates.largestStage).contains(state.tasks.count) {
                    state.awaitingEstimatesSince = now.monotonic
                    effects.queries.append(.durations(run: run.id, stage: stage.id, plan: run.plan.name, before: run.createdAt))
                }
                run.stages[i] = state
                effects.log(.info, "run \(run.id): stage \(stage.id) started with \(state.tasks.count) task(s)")
                // A stage that fails before it has tasks (its scopes could not be made, its input
                // is too large) is not said to start: its end says it failed.
                if state.error == nil || !state.tasks.isEmpty {
                    event(&run, .stageStarted, stage: stage.id, counts: state.counts, &effects)
                }
                effects.journal(.stageChanged(run: run.id, state.entry(scopes: true)))
                started = true
            }
        }
        runs[runID] = run
        for i in run.stages.indices where run.stages[i].status == .running {
            if let error = run.stages[i].error, run.stages[i].tasks.isEmpty {
                // A lines-of stage whose scopes could not be made.
                failStage(runID, i, error, now, &effects)
                return
            }
            checkStageComplete(runID, i, now, &effects)
        }
    }

    /// The scopes of a `lines-of` stage that waits for them, as the shell split them from its
    /// source's output (or why they cannot be made): the stage starts. A run that ended, or a
    /// stage that did not ask, takes nothing.
    mutating func scopesSplit(_ runID: String, stage id: String, _ result: Result<[String], LinesOfError>, _ now: Moment,
                              _ effects: inout Effects) {
        guard runs[runID]?.status == .running, let s = runs[runID]!.stageIndex(id),
              runs[runID]!.stages[s].status == .pending, case .asked? = runs[runID]!.stages[s].split else { return }
        runs[runID]!.stages[s].split = .made(result)
        startReadyStages(runID, now, &effects)
        needsDispatch = true
    }

    /// How long the stage's tasks ran, by scope, in the latest earlier runs of the plan (empty
    /// when there is none): its shares are cut and its tasks ordered by it, and they go out now.
    mutating func learnDurations(_ runID: String, stage id: String, _ history: [String: Double], _ now: Moment,
                                 _ effects: inout Effects) {
        guard let s = runs[runID]?.stageIndex(id), runs[runID]!.stages[s].awaitingEstimatesSince != nil else { return }
        runs[runID]!.stages[s].awaitingEstimatesSince = nil
        if !history.isEmpty, let scopes = runs[runID]!.stages[s].scopes {
            runs[runID]!.stages[s].estimates = DurationEstimates(scopes: scopes, history: history)
        }
        needsDispatch = true
        settle(at: now, into: &effects)
    }

    /// The longest a fan-out waits for the shell's answer before its tasks go out in scope order.
    static let estimatesWait: Duration = .seconds(1)

    /// Fan-outs whose durations were asked for and never answered go on without them: no path
    /// that forgets to answer can hold a stage back.
    mutating func stopAwaitingEstimates(_ now: Moment, _ effects: inout Effects) {
        for id in runOrder where runs[id]?.status == .running {
            for s in runs[id]!.stages.indices {
                guard let since = runs[id]!.stages[s].awaitingEstimatesSince, now.monotonic - since >= Self.estimatesWait else { continue }
                runs[id]!.stages[s].awaitingEstimatesSince = nil
                needsDispatch = true
                effects.log(.warning, "run \(id): no answer on how long stage \(runs[id]!.stages[s].id)'s tasks ran before; they start in scope order")
            }
        }
    }

    /// Ends the stage when all its work is done: every task final, every share summarized,
    /// the reduction (if any) run.
    mutating func checkStageComplete(_ runID: String, _ index: Int, _ now: Moment, _ effects: inout Effects) {
        // Cheap checks first, in place: this runs after every report.
        guard runs[runID]?.status == .running, runs[runID]!.stages[index].status == .running,
              let scopes = runs[runID]!.stages[index].scopes,
              runs[runID]!.stages[index].nextScope >= scopes.count || scopes.isEmpty,
              runs[runID]!.stages[index].allTasksFinal,
              runs[runID]!.stages[index].shares.allSatisfy({ $0.status == .done }) else { return }
        var run = runs[runID]!
        var stage = run.stages[index]
        if stage.stage.isFanOut, let command = stage.reduceCommand {
            if stage.reduce == nil || stage.reduce!.inputPending {
                let input = stage.reduceInput(run: runID)
                if let problem = tooLarge(input.count, "the input of stage '\(stage.id)''s \(stage.stage.synthesize != nil ? "synthesis" : "reduction")") {
                    failStage(runID, index, problem, now, &effects)
                    return
                }
                var reduce = stage.reduce ?? ReduceState(command: command, stdin: input)
                reduce.stdin = input
                reduce.inputPending = false
                if stage.reduce == nil { reduce.attempt = runs[runID]!.stages[index].reduceAttemptsBefore }
                runs[runID]!.stages[index].reduce = reduce
                return
            }
            guard stage.reduce?.status == .done else { return }
        }
        // The stage output, in scope order: in memory only when a later stage reads it (a
        // sink's goes to clients from the journal).
        stage.outputReady = true
        if stage.consumed {
            // The kept reports are this copy's alone from here, so that rendering the output
            // frees each as it goes.
            run.stages[index].kept = [:]
            runs[runID]!.stages[index].kept = [:]
            let (output, cut) = stage.takeOutput(run: runID)
            if let problem = tooLarge(output.count, "the output of stage '\(stage.id)', which a later stage reads,") {
                failStage(runID, index, problem, now, &effects)
                return
            }
            stage.output = output
            stage.outputCut = cut
        }
        let reduceFailed = stage.reduce?.report.map { !$0.succeeded } ?? false
        stage.status = stage.anyTaskFailed || stage.summaryFailed || reduceFailed ? .failed : .succeeded
        if reduceFailed, stage.error == nil {
            stage.error = "\(stage.stage.synthesize != nil ? "synthesize" : "summarize") failed: \(stage.reduce!.report!.outcome)"
        }
        stage.endedAt = now.wall
        stage.kept = [:]
        stage.estimates = nil
        stage.reduce?.stdin = Data()
        run.stages[index] = stage
        event(&run, .stageFinished, stage: stage.id, counts: stage.counts,
              seconds: stage.startedAt.flatMap { start in stage.endedAt.map { $0 - max(start, run.continuedAt ?? start) } },
              status: stage.status, &effects)
        runs[runID] = run
        effects.journal(.stageChanged(run: runID, stage.entry()))
        effects.log(.info, "run \(runID): stage \(stage.id) \(stage.status.rawValue)")
        if stage.status == .failed, stage.stage.onFailure == .stop {
            finishRun(runID, .failed, error: stage.error ?? "stage \(stage.id) failed", now, &effects)
            return
        }
        startReadyStages(runID, now, &effects)
        checkRunComplete(runID, now, &effects)
    }

    /// A message when `bytes` is over the stage output limit, else nil.
    func tooLarge(_ bytes: Int, _ what: String) -> String? {
        guard bytes > settings.stageOutputLimit else { return nil }
        return "\(what) is \(bytes >> 20) MiB, over the limit of \(settings.stageOutputLimit >> 20) MiB: "
            + "reduce it with summarize or synthesize, or have tasks write large results to files"
    }

    /// A stage cannot go on (its scopes cannot be made, or a task failed under `stop`).
    mutating func failStage(_ runID: String, _ index: Int, _ error: String, _ now: Moment, _ effects: inout Effects) {
        guard var run = runs[runID] else { return }
        run.stages[index].status = .failed
        run.stages[index].error = error
        run.stages[index].endedAt = now.wall
        runs[runID] = run
        effects.journal(.stageChanged(run: runID, run.stages[index].entry()))
        if run.stages[index].stage.onFailure == .stop || run.stages[index].tasks.isEmpty {
            finishRun(runID, .failed, error: error, now, &effects)
        } else {
            startReadyStages(runID, now, &effects)
            checkRunComplete(runID, now, &effects)
        }
    }

    mutating func checkRunComplete(_ runID: String, _ now: Moment, _ effects: inout Effects) {
        guard let run = runs[runID], run.status == .running, run.stages.allSatisfy(\.isFinished) else { return }
        let failed = run.stages.contains { $0.status != .succeeded }
        finishRun(runID, failed ? .failed : .succeeded, error: nil, now, &effects)
    }

    /// Ends a run: stops whatever of it still runs, sends the result to attached clients.
    /// Returns the CANCEL message id sent to each node that was working on it.
    @discardableResult
    mutating func finishRun(_ runID: String, _ status: RunStatus, error: String?, _ now: Moment,
                            _ effects: inout Effects) -> [String: UInt64] {
        guard var run = runs[runID], run.status == .running else { return [:] }
        run.status = status
        run.error = error
        run.endedAt = now.wall
        for i in run.stages.indices {
            switch run.stages[i].status {
            case .pending:
                run.stages[i].status = .skipped
                effects.journal(.stageChanged(run: runID, run.stages[i].entry()))
            case .running:
                run.stages[i].status = .cancelled
                run.stages[i].endedAt = now.wall
                effects.journal(.stageChanged(run: runID, run.stages[i].entry()))
            default:
                break
            }
        }
        runs[runID] = run
        let told = stopAssignments(of: runID, reason: error ?? "run \(status.rawValue)", &effects)
        run = runs[runID]!
        let result = run.currentResult
        run.result = result
        run.toldSinks = run.sinkProgress()
        // A finished run keeps nothing large in memory: its outputs are in the journal.
        for i in run.stages.indices {
            run.stages[i].output = nil
            run.stages[i].stdin = Data()
            run.stages[i].kept = [:]
            run.stages[i].reduce?.stdin = Data()
            run.stages[i].reduce?.report = nil
        }
        effects.queries.append(.outputAdvanced(run: runID, peers: Array(run.clients.keys), sinks: run.toldSinks, result: result))
        runs[runID] = run
        effects.journal(.runFinished(run: runID, status: status, endedAt: now.wall, error: error))
        effects.log(.info, "run \(runID) \(status.rawValue)" + (error.map { ": \($0)" } ?? ""))
        pruneFinishedRuns()
        return told
    }

    mutating func pruneFinishedRuns() {
        let finished = runOrder.filter { runs[$0]?.status != .running }
        guard finished.count > settings.keepFinishedRuns else { return }
        for id in finished.prefix(finished.count - settings.keepFinishedRuns) {
            runs[id] = nil
            runOrder.removeAll { $0 == id }
        }
    }

    // MARK: Events and journal

    mutating func event(_ run: inout RunState, _ kind: Event.Kind, stage: String?, counts: StageCounts?, seconds: Double? = nil,
                        status: StageStatus? = nil, continued: Bool? = nil, _ effects: inout Effects) {
        for (peer, _) in run.clients {
            effects.send(peer, .event(Event(id: messageID(), run: run.id, kind: kind, stage: stage, counts: counts, seconds: seconds,
                                            status: status, continued: continued)))
        }
    }

    /// Tells the output streams of each running run with clients how far its sink outputs can
    /// be read, when that moved. Once per batch, after the batch's reports.
    mutating func advanceOutputs(_ effects: inout Effects) {
        for id in runOrder where runs[id]?.status == .running && runs[id]?.clients.isEmpty == false {
            let sinks = runs[id]!.sinkProgress()
            guard sinks != runs[id]!.toldSinks else { continue }
            runs[id]!.toldSinks = sinks
            effects.queries.append(.outputAdvanced(run: id, peers: [], sinks: sinks, result: nil))
        }
    }

    /// One progress event per running stage whose counts changed, per attached client.
    mutating func sendProgress(_ effects: inout Effects) {
        guard runOrder.contains(where: { runs[$0]?.progressDirty == true }) else { return }
        // The nodes each stage's tasks run on, from the assignments in flight (as many as the
        // cluster runs at once, not as the stage has tasks).
        var nodesOf: [StageKey: Set<String>] = [:]
        for assignment in assignments.values where assignment.counted > 0 {
            nodesOf[StageKey(run: assignment.id.run, stage: assignment.id.stage), default: []].insert(assignment.node)
        }
        for id in runOrder {
            guard var run = runs[id], run.progressDirty else { continue }
            run.progressDirty = false
            for stage in run.stages where stage.status == .running {
                var counts = stage.counts
                counts.nodes = nodesOf[StageKey(run: id, stage: stage.id)]?.count ?? 0
                event(&run, .progress, stage: stage.id, counts: counts, &effects)
            }
            let running = run.counts.running
            if running != run.journaledRunning {
                run.journaledRunning = running
                effects.journal(.runningChanged(run: id, running: running))
            }
            runs[id] = run
        }
    }
}

/// A stage of a run, as a dictionary key.
struct StageKey: Hashable {
    let run: String
    let stage: String
}
