import Foundation
import SwellCore
import SwellPlan
import SwellProtocol

extension Scheduler {
    /// Hands out work to up nodes, in this order: retries, reductions, shares orphaned by a lost
    /// node, then new shares. Runs in submission order, stages in plan order. New shares and
    /// reductions need free slots; recovered work may queue on a busy node.
    mutating func dispatch(_ now: Moment, _ effects: inout Effects) {
        // Recovered work may go to a node whose slots are taken (see recoveryTarget).
        guard nodes.values.contains(where: { $0.state == .up && $0.used < 2 * $0.slots }) else { return }
        for runID in runOrder where runs[runID]?.status == .running {
            let stageCount = runs[runID]!.stages.count
            for s in 0..<stageCount where runs[runID]!.stages[s].status == .running {
                dispatchRetries(runID, s, now, &effects)
                dispatchReduce(runID, s, now, &effects)
                dispatchOrphans(runID, s, now, &effects)
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
            assign(key, to: name, slots: 1, count: 1, tasks: [ref], done: [], elsewhere: [],
                   command: stage.stage.run, summarize: nil, stdin: stage.stdin, now, &effects)
        }
    }

    private mutating func dispatchReduce(_ runID: String, _ s: Int, _ now: Moment, _ effects: inout Effects) {
        guard var reduce = runs[runID]!.stages[s].reduce, reduce.status == .pending else { return }
        let stage = runs[runID]!.stages[s]
        guard let name = eligible(for: stage.stage).first else { return }
        reduce.attempt += 1
        reduce.status = .assigned
        reduce.node = name
        runs[runID]!.stages[s].reduce = reduce
        let ref = TaskRef(index: -1, scope: "", attempt: reduce.attempt, retriesLeft: stage.stage.retries - reduce.failures)
        let key = AssignmentID.reduce(run: runID, stage: stage.id, attempt: reduce.attempt)
        assign(key, to: name, slots: 1, count: 0, tasks: [ref], done: [], elsewhere: [],
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
                    if let report = stage.reports[index] { done.append(report) }
                case .retryPending, .assigned:
                    elsewhere.append(index)
                }
            }
            let attempt = share.attempt + 1
            runs[runID]!.stages[s].shares[shareIndex].attempt = attempt
            runs[runID]!.stages[s].shares[shareIndex].node = name
            runs[runID]!.stages[s].shares[shareIndex].status = .running
            let key = AssignmentID.share(run: runID, stage: stage.id, share: shareIndex, first: share.first, attempt: attempt)
            assign(key, to: name, slots: min(need, nodes[name]!.slots), count: share.count,
                   tasks: tasks, done: done, elsewhere: elsewhere, command: stage.stage.run, summarize: stage.stage.summarize,
                   stdin: stage.stdin, now, &effects)
            effects.journal(.shareChanged(run: runID, stage: stage.id, runs[runID]!.stages[s].shares[shareIndex]))
        }
    }

    private mutating func dispatchShares(_ runID: String, _ s: Int, _ now: Moment, _ effects: inout Effects) {
        while true {
            let stage = runs[runID]!.stages[s]
            guard let scopes = stage.scopes, stage.nextScope < scopes.count else { return }
            let width = stage.stage.width
            let live = nodes.values.filter { $0.state == .up && $0.accepts(labels: stage.stage.labels) }
            let units = live.reduce(0) { $0 + max(1, $1.slots / width) }
            // A node takes a new share only with room for a whole task wave (or what remains).
            let remaining = scopes.count - stage.nextScope
            // Most free slots first, so that each idle node gets a share before any gets two.
            let idle = live.filter { $0.free >= min(width, $0.slots, remaining) }
                .sorted { ($0.free, $1.name) > ($1.free, $0.name) }
            guard let node = idle.first else { return }
            let size = ShareSizing.size(remaining: remaining, width: width, units: units, idleUnits: idle.count)
            let first = stage.nextScope
            let shareIndex = stage.shares.count
            var tasks: [TaskRef] = []
            for index in first..<(first + size) {
                runs[runID]!.stages[s].tasks[index] = TaskState(status: .assigned, attempt: 1, failures: 0, share: shareIndex, node: node.name)
                tasks.append(TaskRef(index: index, scope: scopes[index], attempt: 1, retriesLeft: stage.stage.retries))
            }
            runs[runID]!.stages[s].nextScope = first + size
            runs[runID]!.stages[s].shares.append(ShareState(index: shareIndex, first: first, count: size, node: node.name, attempt: 1))
            let key = AssignmentID.share(run: runID, stage: stage.id, share: shareIndex, first: first, attempt: 1)
            assign(key, to: node.name, slots: min(width, size, node.slots), count: size,
                   tasks: tasks, done: [], elsewhere: [], command: stage.stage.run, summarize: stage.stage.summarize,
                   stdin: stage.stdin, now, &effects)
            effects.journal(.shareChanged(run: runID, stage: stage.id, runs[runID]!.stages[s].shares[shareIndex]))
            runs[runID]!.progressDirty = true
        }
    }

    /// Records an assignment, takes the node's slots and sends the ASSIGN.
    private mutating func assign(_ key: AssignmentID, to name: String, slots: Int, count: Int,
                                 tasks: [TaskRef], done: [Report], elsewhere: [Int], command: Command, summarize: Command?,
                                 stdin: Data, _ now: Moment, _ effects: inout Effects) {
        let run = runs[key.run]!
        let stage = run.stages[run.stageIndex(key.stage)!]
        let spec = TaskSpec(
            run: command, summarize: summarize, env: stage.stage.env, timeoutMilliseconds: stage.stage.timeout?.wholeMilliseconds,
            width: stage.stage.width, pacing: stage.stage.pacing, input: stage.stage.input, vars: run.plan.varValues,
            outputCap: settings.outputCap)
        let bounds = stage.bounds(first: key.first, count: count)
        let message = Assign(
            id: messageID(), run: key.run, stage: key.stage, kind: key.kind, share: key.share, attempt: key.attempt,
            first: key.first, count: count, firstScope: bounds.first, lastScope: bounds.last,
            tasks: tasks, done: done, elsewhere: elsewhere, spec: spec, stdin: stdin)
        assignments[key] = Assignment(id: key, node: name, slots: slots, message: message, sentAt: now.monotonic)
        effects.journal(.assignmentAdded(HeldAssignment(
            id: key, node: name, slots: slots, tasks: tasks.map { TaskAttempt(index: $0.index, attempt: $0.attempt) })))
        nodes[name]!.used += slots
        nodes[name]!.assignments.insert(key)
        effects.send(nodes[name]!.peer, .assign(message))
        runs[key.run]!.progressDirty = true
    }

    /// An assignment is over (done, or stopped): the node's slots are free again.
    mutating func complete(_ key: AssignmentID, _ effects: inout Effects) {
        guard let assignment = assignments.removeValue(forKey: key) else { return }
        if var node = nodes[assignment.node] {
            node.used = max(0, node.used - assignment.slots)
            node.assignments.remove(key)
            nodes[assignment.node] = node
        }
        effects.journal(.assignmentRemoved(key))
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
        var told: [String: UInt64] = [:]
        for key in assignments.keys.filter({ $0.run == runID }) {
            let node = assignments[key]!.node
            complete(key, &effects)
            if told[node] == nil, let record = nodes[node], record.isLive {
                let id = messageID()
                told[node] = id
                effects.send(record.peer, .cancel(Cancel(id: id, run: runID, reason: reason)))
            }
        }
        return told
    }

    mutating func resendAssignments(_ now: Moment, _ effects: inout Effects) {
        for key in assignments.keys {
            guard var assignment = assignments[key], !assignment.acknowledged, let message = assignment.message,
                  now.monotonic - assignment.sentAt >= settings.assignResendAfter,
                  let node = nodes[assignment.node], node.isLive else { continue }
            assignment.sentAt = now.monotonic
            assignments[key] = assignment
            effects.send(node.peer, .assign(message))
        }
    }
}
