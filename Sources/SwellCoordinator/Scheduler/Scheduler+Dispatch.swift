import Foundation
import SwellCore
import SwellPlan
import SwellProtocol

extension Scheduler {
    /// Hands out work to up nodes, in this order: retries, reductions, shares orphaned by a lost
    /// node, then new shares. Runs in submission order, stages in plan order. New shares and
    /// reductions need a free slot; recovered work may queue on a busy node. Runs once per batch
    /// of inputs (see ``settle(at:into:)``), and costs nothing per task: a stage is looked at
    /// through its counters, never scanned.
    mutating func dispatch(_ now: Moment, _ effects: inout Effects) {
        // Recovered work may go to a node whose slots are taken (see recoveryTarget).
        guard nodes.values.contains(where: { $0.state == .up && $0.used < 2 * $0.slots }) else { return }
        for runID in runOrder where runs[runID]?.status == .running && runs[runID]!.exhausted == nil {
            for s in runs[runID]!.stages.indices where runs[runID]!.stages[s].status == .running {
                if !runs[runID]!.stages[s].retryQueue.isEmpty { dispatchRetries(runID, s, now, &effects) }
                if runs[runID]!.stages[s].reduce?.status == .pending { dispatchReduce(runID, s, now, &effects) }
                if runs[runID]!.stages[s].orphans > 0 { dispatchOrphans(runID, s, now, &effects) }
                dispatchShares(runID, s, now, &effects)
            }
        }
    }

    /// Up nodes that can run the stage, with free slots, most free first.
    func eligible(for stage: Stage, minimumFree: Int = 1) -> [String] {
        nodes.values.filter { $0.state == .up && $0.free >= minimumFree && $0.accepts(labels: stage.labels) }
            .sorted { ($0.free, $1.name) > ($1.free, $0.name) }
            .map(\.name)
    }

    /// Where recovered work (a retry, a share of a lost node) goes: a node with free slots if
    /// there is one, else the least loaded up node that has not taken more than twice its slots.
    /// A node never runs more than its slots at once; it queues the rest ahead of its next wave,
    /// so recovered work starts as soon as any slot frees instead of waiting for a whole share.
    func recoveryTarget(for stage: Stage, need: Int, avoiding avoided: String? = nil) -> String? {
        let up = nodes.values.filter { $0.state == .up && $0.accepts(labels: stage.labels) }
        let free = up.filter { $0.free >= min(need, $0.slots) }.sorted { ($0.free, $1.name) > ($1.free, $0.name) }
        if let best = free.first(where: { $0.name != avoided }) ?? free.first { return best.name }
        let loaded = up.filter { $0.used + min(need, $0.slots) <= 2 * $0.slots }
            .sorted { (Double($0.used) / Double($0.slots), $0.name) < (Double($1.used) / Double($1.slots), $1.name) }
        return (loaded.first(where: { $0.name != avoided }) ?? loaded.first)?.name
    }

    private mutating func dispatchRetries(_ runID: String, _ s: Int, _ now: Moment, _ effects: inout Effects) {
        while let index = runs[runID]!.stages[s].retryQueue.first {
            let stage = runs[runID]!.stages[s]
            guard stage.tasks[index].status == .retryPending else {
                runs[runID]!.stages[s].retryQueue.removeFirst()
                continue
            }
            var task = stage.tasks[index]
            // On another node where one is free; else where it failed.
            guard let name = recoveryTarget(for: stage.stage, need: 1, avoiding: task.failedOn) else { return }
            runs[runID]!.stages[s].retryQueue.removeFirst()
            task.attempt += 1
            task.status = .assigned
            task.node = name
            runs[runID]!.stages[s].tasks[index] = task
            let ref = TaskRef(index: index, scope: stage.scopes![index], attempt: task.attempt,
                              retriesLeft: stage.stage.retries - task.failures)
            let key = AssignmentID.retry(run: runID, stage: stage.id, share: task.share ?? -1, index: index, attempt: task.attempt)
            assign(key, to: name, cap: 1, count: 1, tasks: [ref], done: [], elsewhere: [],
                   command: stage.stage.run, summarize: nil, stdin: stage.stdin, now, &effects)
        }
    }

    private mutating func dispatchReduce(_ runID: String, _ s: Int, _ now: Moment, _ effects: inout Effects) {
        guard var reduce = runs[runID]!.stages[s].reduce, reduce.status == .pending, !reduce.inputPending else { return }
        let stage = runs[runID]!.stages[s]
        guard let name = eligible(for: stage.stage).first else { return }
        reduce.attempt += 1
        reduce.status = .assigned
        reduce.node = name
        runs[runID]!.stages[s].reduce = reduce
        let ref = TaskRef(index: -1, scope: "", attempt: reduce.attempt, retriesLeft: stage.stage.retries - reduce.failures)
        let key = AssignmentID.reduce(run: runID, stage: stage.id, attempt: reduce.attempt)
        assign(key, to: name, cap: 1, count: 0, tasks: [ref], done: [], elsewhere: [],
               command: reduce.command, summarize: nil, stdin: reduce.stdin, now, &effects)
    }

    private mutating func dispatchOrphans(_ runID: String, _ s: Int, _ now: Moment, _ effects: inout Effects) {
        for shareIndex in runs[runID]!.stages[s].shares.indices where runs[runID]!.stages[s].shares[shareIndex].status == .orphaned {
            let stage = runs[runID]!.stages[s]
            let share = stage.shares[shareIndex]
            let range = share.range
            let rerun = range.filter { stage.tasks[$0].status == .waiting }
            let need = max(1, min(stage.stage.width, rerun.count))
            guard let name = recoveryTarget(for: stage.stage, need: need) else { return }
            runs[runID]!.stages[s].orphans -= 1
            var tasks: [TaskRef] = []
            var done: [Report] = []
            var elsewhere: [Int] = []
            for index in range {
                var task = runs[runID]!.stages[s].tasks[index]
                switch task.status {
                case .waiting:
                    task.attempt += 1
                    task.status = .assigned
                    task.node = name
                    tasks.append(TaskRef(index: index, scope: stage.scopes![index], attempt: task.attempt,
                                         retriesLeft: stage.stage.retries - task.failures))
                    runs[runID]!.stages[s].tasks[index] = task
                case .succeeded, .failed:
                    done.append(stage.finalReport(index, run: runID))
                case .retryPending, .assigned:
                    elsewhere.append(index)
                }
            }
            stage.estimates?.order(&tasks)
            let attempt = share.attempt + 1
            runs[runID]!.stages[s].shares[shareIndex].attempt = attempt
            runs[runID]!.stages[s].shares[shareIndex].node = name
            runs[runID]!.stages[s].shares[shareIndex].status = .running
            let key = AssignmentID.share(run: runID, stage: stage.id, share: shareIndex, first: share.first, attempt: attempt)
            assign(key, to: name, cap: min(stage.stage.width, nodes[name]!.slots), count: share.count,
                   tasks: tasks, done: done, elsewhere: elsewhere, command: stage.stage.run, summarize: stage.stage.summarize,
                   stdin: stage.stdin, now, &effects)
            effects.journal(.shareChanged(run: runID, stage: stage.id, runs[runID]!.stages[s].shares[shareIndex]))
        }
    }

    private mutating func dispatchShares(_ runID: String, _ s: Int, _ now: Moment, _ effects: inout Effects) {
        guard let count = runs[runID]!.stages[s].scopes?.count, runs[runID]!.stages[s].nextScope < count,
              runs[runID]!.stages[s].awaitingEstimatesSince == nil else { return }
        let stage = runs[runID]!.stages[s].stage
        let width = stage.width
        // A node takes a new share as soon as it has a free slot: the share's first tasks start
        // in the slots the node's draining shares give up, so no slot idles between shares.
        var candidates = nodes.values.filter { $0.state == .up && $0.accepts(labels: stage.labels) }
            .map { (name: $0.name, free: $0.free, slots: $0.slots) }
        let units = candidates.reduce(0) { $0 + max(1, $1.slots / width) }
        let slots = candidates.reduce(0) { $0 + $1.slots }
        // A stage under a limit of N at once holds no more than N slots (plus one per node, so
        // that a freed lease finds its next task waiting): a task waiting for its lease takes a
        // slot that other stages and runs could use.
        let leaseCap = leaseSlotCap(runID, stage, nodes: candidates.count)
        while true {
            let first = runs[runID]!.stages[s].nextScope
            var remaining = count - first
            if let leaseCap {
                remaining = min(remaining, leaseCap - runs[runID]!.stages[s].running)
                guard remaining > 0 else { return }
            }
            // Most free slots first, so that each idle node gets a share before any gets two.
            let idle = candidates.indices.filter { candidates[$0].free > 0 }
            guard remaining > 0, let best = idle.max(by: {
                (candidates[$0].free, candidates[$1].name) < (candidates[$1].free, candidates[$0].name)
            }) else { return }
            let name = candidates[best].name
            var size: Int
            let estimates = runs[runID]!.stages[s].estimates
            if let estimates, estimates.plansShares, leaseCap == nil {
                // Durations known from the plan's last run, and they differ: the idle nodes split
                // the expected work, each by the task waves it can run at once, and start the
                // longest tasks of their shares first, so that they finish together on short tasks.
                // The plan covers every eligible node, idle or busy with other work (it takes its
                // share once it frees slots), each by the shares its slots run at once: this
                // node's free slots first.
                var units = DurationEstimates.units(of: candidates[best].free, width: width)
                let others = candidates.indices.filter { $0 != best }
                    .sorted { (candidates[$0].free, candidates[$1].name) > (candidates[$1].free, candidates[$0].name) }
                for other in others {
                    let capacity = candidates[other].free > 0 ? candidates[other].free : candidates[other].slots
                    units += DurationEstimates.units(of: capacity, width: width)
                }
                let limit = min(ShareSizing.largest, max(1, remaining - (idle.count - 1)))
                if let balanced = runs[runID]!.stages[s].estimates!.balancedCount(
                    from: first, units: units, limit: min(ShareSizing.largest, remaining), barrier: stage.pacing == .barrier,
                    at: now.monotonic) {
                    size = min(balanced, limit)
                } else {
                    let slotsNow = Double(units.first ?? 1) / Double(max(1, units.reduce(0, +)))
                    size = estimates.count(from: first, work: estimates.remaining * slotsNow, limit: limit)
                }
            } else if settings.embedded, width >= candidates[best].slots, leaseCap == nil, stage.pacing == .rolling,
                      stage.summarize == nil {
                // The embedded default has its one node for ever: no other node can join to take
                // a later share, so the rest of a rolling stage is one share when one share fills
                // the node (its width is at least the node's slots), and no slot of the node
                // waits for the coordinator to hand it the next task. (A narrower stage keeps its
                // shares, which run side by side in the node's slots. A stage that
                // summarizes keeps its guided shares: each share's summarize reads that share's
                // reports. So does `barrier`: the next share's first wave starts in the slots the
                // last wave of the one before frees, where one share would wait for that wave.)
                size = ShareSizing.wholeShare(remaining: remaining, width: width)
            } else {
                size = ShareSizing.size(remaining: remaining, width: width, units: units, idleUnits: idle.count)
                if leaseCap != nil { size = min(size, remaining) }
                // The tail of a rolling stage that does not summarize: no node takes more than it
                // can start now, so that work does not queue on one node while another has a free
                // slot, and the nodes finish together.
                if stage.pacing == .rolling, stage.summarize == nil, remaining <= 2 * slots {
                    size = min(size, candidates[best].free)
                }
            }
            let shareIndex = runs[runID]!.stages[s].shares.count
            let scopes = runs[runID]!.stages[s].scopes!
            var tasks: [TaskRef] = []
            tasks.reserveCapacity(size)
            for index in first..<(first + size) {
                runs[runID]!.stages[s].tasks[index] = TaskState(status: .assigned, attempt: 1, failures: 0, share: shareIndex, node: name)
                tasks.append(TaskRef(index: index, scope: scopes[index], attempt: 1, retriesLeft: stage.retries))
            }
            if let estimates {
                estimates.order(&tasks)
                runs[runID]!.stages[s].estimates!.took(first: first, count: size)
            }
            runs[runID]!.stages[s].nextScope = first + size
            runs[runID]!.stages[s].shares.append(ShareState(index: shareIndex, first: first, count: size, node: name, attempt: 1))
            let key = AssignmentID.share(run: runID, stage: stage.id, share: shareIndex, first: first, attempt: 1)
            assign(key, to: name, cap: min(width, candidates[best].slots), count: size,
                   tasks: tasks, done: [], elsewhere: [], command: stage.run, summarize: stage.summarize,
                   stdin: runs[runID]!.stages[s].stdin, now, &effects)
            effects.journal(.shareChanged(run: runID, stage: stage.id, runs[runID]!.stages[s].shares[shareIndex]))
            candidates[best].free = nodes[name]!.free
        }
    }

    /// Records an assignment, takes the node's slots and sends the ASSIGN.
    private mutating func assign(_ key: AssignmentID, to name: String, cap: Int, count: Int,
                                 tasks: [TaskRef], done: [Report], elsewhere: [Int], command: Command, summarize: Command?,
                                 stdin: Data, _ now: Moment, _ effects: inout Effects) {
        let run = runs[key.run]!
        let stage = run.stages[run.stageIndex(key.stage)!]
        var tasks = tasks
        if let rule = stage.stage.rateLimit {
            for i in tasks.indices where tasks[i].index >= 0 {
                tasks[i].waitsLeft = max(0, rule.maxWaits - stage.tasks[tasks[i].index].waits)
            }
        }
        var spec = TaskSpec(
            run: command, summarize: summarize, env: stage.stage.env, timeoutMilliseconds: stage.stage.timeout?.wholeMilliseconds,
            width: stage.stage.width, pacing: stage.stage.pacing, input: stage.stage.input, vars: run.plan.varValues,
            outputCap: settings.outputCap, folder: run.folder.isEmpty ? nil : run.folder, shell: stage.stage.shell,
            stopGraceMilliseconds: stage.stage.stopGrace.wholeMilliseconds, expect: stage.stage.expect,
            prompt: run.prompts[stage.id], timeoutPercent: stage.stage.timeoutPercent,
            medianMilliseconds: stage.stage.timeoutPercent == nil ? nil : stage.medianDuration.map { Int(($0 * 1000).rounded()) })
        spec.leased = stage.stage.uses.isEmpty ? nil : true
        spec.rateLimit = stage.stage.rateLimit
        spec.cost = stage.stage.cost
        let bounds = stage.bounds(first: key.first, count: count)
        // A large input waits here for the node to ask for it, piece by piece (INPUT?).
        let fetched = stdin.count > settings.inlineInputLimit && nodes[name]!.fetchesInput
        let message = Assign(
            id: messageID(), run: key.run, stage: key.stage, kind: key.kind, share: key.share, attempt: key.attempt,
            first: key.first, count: count, firstScope: bounds.first, lastScope: bounds.last,
            tasks: tasks, done: done, elsewhere: elsewhere, spec: spec, stdin: fetched ? Data() : stdin,
            stdinBytes: fetched ? stdin.count : nil)
        assignmentSequence += 1
        assignments[key] = Assignment(id: key, node: name, cap: cap, outstanding: tasks.count,
                                      summarizes: key.kind == .share && summarize != nil, sequence: assignmentSequence,
                                      message: message, sentAt: now.monotonic)
        assignmentByMessage[message.id] = key
        effects.journal(.assignmentAdded(HeldAssignment(
            id: key, node: name, slots: cap, tasks: tasks.map { TaskAttempt(index: $0.index, attempt: $0.attempt) })))
        nodes[name]!.assignments.insert(key)
        rebalance(name)
        effects.send(nodes[name]!.peer, .assign(message))
        runs[key.run]!.progressDirty = true
    }

    /// Recounts what a node's assignments take: `used` is the slots they want (a task wave each,
    /// or what is left of their tasks), and each holds, oldest first, what is left of the
    /// node's slots, as the node starts queued work first come, first served. A stage's
    /// `running` is what its assignments hold for tasks.
    mutating func rebalance(_ name: String) {
        guard let node = nodes[name] else { return }
        var left = node.slots
        var used = 0
        let ordered = node.assignments.compactMap { assignments[$0] }.sorted { $0.sequence < $1.sequence }
        for var assignment in ordered {
            let want = assignment.want
            used += want
            let before = (assignment.held, assignment.counted)
            assignment.held = min(want, left)
            left -= assignment.held
            // Counted by what it runs, not by what it holds: a share whose tasks are all in may
            // keep its slot for its summarize.
            countRunning(assignment.id, assignment.runningTasks - assignment.counted)
            assignment.counted = assignment.runningTasks
            if (assignment.held, assignment.counted) != before { assignments[assignment.id] = assignment }
        }
        nodes[name]!.used = used
    }

    /// Adds `delta` to the running tasks of the assignment's stage.
    private mutating func countRunning(_ key: AssignmentID, _ delta: Int) {
        guard delta != 0, key.kind != .reduce, let s = runs[key.run]?.stageIndex(key.stage) else { return }
        runs[key.run]!.stages[s].running += delta
        runs[key.run]!.progressDirty = true
    }

    /// A task of the assignment `key` on `node` reported: it no longer needs its slot.
    mutating func taskEnded(in key: AssignmentID, on node: String) {
        guard var assignment = assignments[key], assignment.node == node, assignment.outstanding > 0 else { return }
        assignment.outstanding -= 1
        assignments[key] = assignment
        rebalance(node)
    }

    /// An assignment is over (done, or stopped): the node's slots are free again.
    mutating func complete(_ key: AssignmentID, _ effects: inout Effects) {
        guard let assignment = forget(key) else { return }
        if nodes[assignment.node] != nil {
            nodes[assignment.node]!.assignments.remove(key)
            rebalance(assignment.node)
        }
        effects.journal(.assignmentRemoved(key))
    }

    /// Drops an assignment from the books (not from its node's list); returns it.
    mutating func forget(_ key: AssignmentID) -> Assignment? {
        guard let assignment = assignments.removeValue(forKey: key) else { return nil }
        if let id = assignment.message?.id { assignmentByMessage[id] = nil }
        countRunning(key, -assignment.counted)
        return assignment
    }

    /// The work of a lost assignment goes back to the pool.
    mutating func release(_ key: AssignmentID, lostOn name: String, _ now: Moment, _ effects: inout Effects) {
        guard var run = runs[key.run], run.status == .running, let s = run.stageIndex(key.stage) else { return }
        var stage = run.stages[s]
        switch key.kind {
        case .share:
            guard key.share < stage.shares.count, stage.shares[key.share].attempt == key.attempt,
                  stage.shares[key.share].status == .running else { return }
            stage.shares[key.share].status = .orphaned
            stage.orphans += 1
            let share = stage.shares[key.share]
            var requeued = 0
            for index in share.range
            where stage.tasks[index].status == .assigned && stage.tasks[index].node == name {
                stage.tasks[index].status = .waiting
                requeued += 1
            }
            effects.log(.info, "run \(key.run): share \(key.share + 1) of \(key.stage) goes back to the pool (\(requeued) unfinished task(s))")
        case .retry:
            guard key.first >= 0, key.first < stage.tasks.count, stage.tasks[key.first].attempt == key.attempt,
                  stage.tasks[key.first].status == .assigned else { return }
            stage.tasks[key.first].status = .retryPending
            stage.retryQueue.append(key.first)
        case .reduce:
            guard stage.reduce?.attempt == key.attempt, stage.reduce?.status == .assigned else { return }
            stage.reduce?.status = .pending
        }
        run.stages[s] = stage
        run.progressDirty = true
        runs[key.run] = run
    }

    /// Tells every node working on the run to stop, and frees their slots. Returns the CANCEL
    /// message id sent to each node.
    @discardableResult
    mutating func stopAssignments(of runID: String, reason: String, _ effects: inout Effects) -> [String: UInt64] {
        let told = tellNodes(of: runID, { Cancel(id: $0, run: runID, reason: reason) }, &effects)
        for key in assignments.keys.filter({ $0.run == runID }) { complete(key, &effects) }
        return told
    }

    /// Sends a CANCEL, made by `cancel` from its message id, to each live node that holds work of
    /// the run; returns the id each was sent.
    mutating func tellNodes(of runID: String, _ cancel: (UInt64) -> Cancel, _ effects: inout Effects) -> [String: UInt64] {
        var told: [String: UInt64] = [:]
        for node in Set(assignments.values.filter { $0.id.run == runID }.map(\.node)).sorted() {
            guard let record = nodes[node], record.isLive else { continue }
            let id = messageID()
            told[node] = id
            effects.send(record.peer, .cancel(cancel(id)))
        }
        return told
    }

    /// Sends again what a node has not acknowledged: after `assignResendAfter`, then after twice
    /// as long each time (up to 16 times as long), so that a node that is only slow to answer
    /// is not flooded with copies.
    mutating func resendAssignments(_ now: Moment, _ effects: inout Effects) {
        for key in assignments.keys {
            guard var assignment = assignments[key], !assignment.acknowledged, let message = assignment.message,
                  now.monotonic - assignment.sentAt >= settings.assignResendAfter * (1 << min(assignment.resends, 4)),
                  let node = nodes[assignment.node], node.isLive else { continue }
            assignment.sentAt = now.monotonic
            assignment.resends += 1
            assignments[key] = assignment
            effects.send(node.peer, .assign(message))
        }
    }
}
