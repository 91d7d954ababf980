import Foundation
import SwellCore
import SwellPlan
import SwellProtocol

extension Scheduler {
    /// A node's LEASE?: it has a slot for each task and waits to start it. Tasks already granted
    /// to it get their grant again (the first may have been lost); the others queue.
    mutating func leasesAsked(_ request: LeaseList, by node: String, _ now: Moment, _ effects: inout Effects) {
        var again: [LeaseRef] = []
        for ref in request.tasks {
            if let lease = leases.held[ref] {
                if lease.node == node, lease.freeAt == nil { again.append(ref) }
                continue
            }
            guard leases.wanted[ref] == nil, let names = leaseNames(ref, runningOn: node) else { continue }
            leases.wanted[ref] = LeaseBook.Want(node: node, names: names)
            leases.queue.append(ref)
        }
        if !again.isEmpty, let peer = nodes[node]?.peer {
            effects.send(peer, .lease(LeaseList(id: messageID(), tasks: again)))
        }
        grantLeases(now, &effects)
    }

    /// The limits `ref` needs when it is the current attempt of a task that runs on `node` in a
    /// running stage that `uses` some; else nil.
    func leaseNames(_ ref: LeaseRef, runningOn node: String) -> [String]? {
        guard let run = runs[ref.run], run.status == .running, run.exhausted == nil, let s = run.stageIndex(ref.stage) else { return nil }
        let stage = run.stages[s]
        guard stage.status == .running, !stage.stage.uses.isEmpty, ref.index >= 0, ref.index < stage.tasks.count else { return nil }
        let task = stage.tasks[ref.index]
        guard task.status == .assigned, task.attempt == ref.attempt, task.node == node else { return nil }
        return stage.stage.uses
    }

    /// The most slots a stage that `uses` limits with a cap at once holds on nodes: the smallest
    /// cap, plus one per node. Nil: no cap.
    func leaseSlotCap(_ runID: String, _ stage: Stage, nodes: Int) -> Int? {
        guard !stage.uses.isEmpty else { return nil }
        let caps = stage.uses.compactMap { name -> Int? in
            [leases.shared[name]?.rule.concurrent, leases.perRun[runID]?[name]?.rule.concurrent].compactMap { $0 }.min()
        }
        return caps.min().map { $0 + max(1, nodes) }
    }

    /// Grants what the pools have room for, first come first served; a task whose limits are
    /// full waits while those after it that use other limits may go ahead.
    mutating func grantLeases(_ now: Moment, _ effects: inout Effects) {
        guard !leases.queue.isEmpty else { return }
        var granted: [String: [LeaseRef]] = [:]
        var waiting: [LeaseRef] = []
        for ref in leases.queue {
            guard let want = leases.wanted[ref] else { continue }
            guard nodes[want.node]?.isLive == true, leaseNames(ref, runningOn: want.node) != nil else {
                leases.wanted[ref] = nil
                continue
            }
            guard leases.allows(want.names, run: ref.run, at: now.monotonic) else {
                waiting.append(ref)
                continue
            }
            leases.wanted[ref] = nil
            leases.take(ref, node: want.node, names: want.names, starting: true, at: now.monotonic)
            effects.journal(.leaseGranted(HeldLease(run: ref.run, stage: ref.stage, index: ref.index, attempt: ref.attempt, node: want.node)))
            granted[want.node, default: []].append(ref)
        }
        leases.queue = waiting
        for (node, refs) in granted.sorted(by: { $0.key < $1.key }) {
            guard let peer = nodes[node]?.peer else { continue }
            effects.send(peer, .lease(LeaseList(id: messageID(), tasks: refs)))
        }
    }

    /// The lease of `ref` ends (its attempt reported, or it is handed on).
    mutating func releaseLease(_ ref: LeaseRef, _ effects: inout Effects) {
        guard let lease = leases.release(ref) else { return }
        effects.journal(.leaseReleased(HeldLease(run: ref.run, stage: ref.stage, index: ref.index, attempt: ref.attempt, node: lease.node)))
    }

    /// Once a tick: leases whose attempt no longer runs where they were granted are handed on
    /// once its processes cannot be alive any more, pauses that ended are said, and what the
    /// pools now have room for is granted.
    ///
    /// A node that is still up stops such an attempt at once (a CANCEL), within its stop grace.
    /// A node that is lost may still run it: it stops its leased tasks once the coordinator has
    /// been silent for ``CoordinatorSettings/leaseHold``, and the coordinator's last word to it
    /// was at most ``CoordinatorSettings/downAfter`` after it last heard from the node; so its
    /// leases wait that long after the node's last message, plus the stop grace.
    mutating func sweepLeases(_ now: Moment, _ effects: inout Effects) {
        for (ref, lease) in leases.held {
            if nodes[lease.node]?.isLive == true, leaseNames(ref, runningOn: lease.node) != nil {
                if lease.freeAt != nil { leases.held[ref]!.freeAt = nil }
                continue
            }
            let freeAt = lease.freeAt ?? {
                let grace = stopGrace(of: ref) + .seconds(1)
                if let node = nodes[lease.node], node.isLive { return now.monotonic + grace }
                let lastHeard = nodes[lease.node].map { min($0.lastSeen, now.monotonic) } ?? now.monotonic
                return lastHeard + settings.downAfter + settings.leaseHold + grace
            }()
            if now.monotonic >= freeAt {
                releaseLease(ref, &effects)
                effects.log(.info, "run \(ref.run): the lease of \(ref.stage)[\(ref.index)] attempt \(ref.attempt) on \(lease.node) is handed on")
            } else if lease.freeAt == nil {
                leases.held[ref]!.freeAt = freeAt
            }
        }
        for name in leases.endPauses(at: now.monotonic) {
            for id in runOrder where runs[id]?.status == .running && runs[id]!.plan.stages.contains(where: { $0.uses.contains(name) }) {
                notice(id, "limit \(name): the rate-limit pause is over; tasks start again", &effects)
            }
        }
        for run in Array(leases.perRun.keys) where runs[run]?.status != .running { leases.dropRun(run) }
        grantLeases(now, &effects)
    }

    private func stopGrace(of ref: LeaseRef) -> Duration {
        guard let run = runs[ref.run], let s = run.stageIndex(ref.stage) else { return Stage.defaultStopGrace }
        return run.stages[s].stage.stopGrace
    }

    /// A rate-limited attempt of task `index` of stage `s`: it runs again after its wait, and
    /// the stage's limits start nothing new until then.
    mutating func waitOutRateLimit(_ runID: String, _ s: Int, _ index: Int, waits: Int, retryAfter: Double?,
                                   _ now: Moment, _ effects: inout Effects) {
        let stage = runs[runID]!.stages[s].stage
        guard let rule = stage.rateLimit else { return }
        let delay = rule.delay(afterWait: waits, retryAfter: retryAfter, random: Double(random.next() >> 11) / Double(1 << 53))
        let until = now.monotonic + delay
        let wall = now.wall + Double(delay.wholeMilliseconds) / 1_000
        runs[runID]!.stages[s].delayed.append((index: index, until: until, wall: wall))
        delayedTasks += 1
        let label = "\(stage.id)[\(index)]"
        effects.log(.info, "run \(runID): \(label) was rate limited (wait \(waits) of \(rule.maxWaits)); it runs again in \(Durations.format(delay))")
        if !stage.uses.isEmpty, leases.pause(stage.uses, until: until, wall: wall) {
            let names = stage.uses.joined(separator: ", ")
            for id in runOrder where runs[id]?.status == .running && runs[id]!.plan.stages.contains(where: { !Set($0.uses).isDisjoint(with: stage.uses) }) {
                notice(id, "limit \(names): \(label) was rate limited; new starts wait until \(Self.clock(wall)) (\(Durations.format(delay)))", &effects)
            }
        }
    }

    /// Tasks whose rate-limit wait is over go back in their stage's retry queue.
    mutating func endRateLimitWaits(_ now: Moment) {
        guard delayedTasks > 0 else { return }
        for id in runOrder where runs[id]?.status == .running {
            for s in runs[id]!.stages.indices where !runs[id]!.stages[s].delayed.isEmpty {
                let due = runs[id]!.stages[s].delayed.filter { now.monotonic >= $0.until }
                guard !due.isEmpty else { continue }
                runs[id]!.stages[s].delayed.removeAll { now.monotonic >= $0.until }
                runs[id]!.stages[s].retryQueue.append(contentsOf: due.map(\.index))
                delayedTasks -= due.count
                needsDispatch = true
            }
        }
    }

    /// What a run waits for because of rate limits, for `swell status`.
    func rateLimitWaits(_ run: RunState, _ now: Moment) -> [String] {
        var lines: [String] = []
        var names: Set<String> = []
        for stage in run.stages where stage.status == .running {
            names.formUnion(stage.stage.uses)
            if let last = stage.delayed.map(\.wall).max() {
                lines.append("stage \(stage.id): \(stage.delayed.count) task(s) wait out a rate limit until \(Self.clock(last))")
            }
        }
        for name in names.sorted() {
            if let pool = leases.shared[name], pool.isPaused(at: now.monotonic), let wall = pool.pausedUntilWall {
                lines.append("limit \(name) is paused until \(Self.clock(wall)) after a rate-limited attempt")
            }
        }
        return lines
    }

    /// The time as ISO 8601, in UTC.
    static func clock(_ wall: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: wall.rounded()))
    }
}
