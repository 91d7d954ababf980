import SwellCore
import SwellProtocol

/// One named limit's state: its rule, the leases held under it, its last start, and a pause
/// after a rate-limited attempt.
struct LimitPool: Sendable {
    var rule: LimitRule
    var held = 0
    var lastStart: ContinuousClock.Instant?
    var pausedUntil: ContinuousClock.Instant?
    /// The same as seconds since 1970, for `swell status`.
    var pausedUntilWall: Double?

    init(rule: LimitRule) { self.rule = rule }

    func allows(at now: ContinuousClock.Instant) -> Bool {
        if let pausedUntil, now < pausedUntil { return false }
        if let cap = rule.concurrent, held >= cap { return false }
        if let spacing = rule.spacing, let lastStart, now - lastStart < spacing { return false }
        return true
    }

    func isPaused(at now: ContinuousClock.Instant) -> Bool { pausedUntil.map { now < $0 } ?? false }
}

/// The leases of named limits: pools shared by every run (a coordinator's `--limit`, and the
/// names runs use, which carry pauses across runs) and pools of each run (its plan's `limits`),
/// the leases held, and the tasks waiting for one, first come first served.
///
/// A task's lease needs room in the shared pool of each name its stage uses and in its run's
/// pool of that name. It ends with the attempt's report; a lease whose attempt no longer runs
/// where it was granted (its node lost, its run cancelled) is held a while longer, so that it
/// is never handed on while the processes it covered may still be alive (see ``Scheduler/sweepLeases``).
struct LeaseBook: Sendable {
    struct Held: Sendable {
        var node: String
        var names: [String]
        /// When it is handed on, once its attempt no longer runs on `node`.
        var freeAt: ContinuousClock.Instant?
    }

    struct Want: Sendable {
        var node: String
        var names: [String]
    }

    var shared: [String: LimitPool] = [:]
    var perRun: [String: [String: LimitPool]] = [:]
    var held: [LeaseRef: Held] = [:]
    var wanted: [LeaseRef: Want] = [:]
    /// `wanted` in the order asked; entries no longer wanted are skipped and dropped.
    var queue: [LeaseRef] = []

    init(limits: [String: LimitRule]) {
        shared = limits.mapValues(LimitPool.init(rule:))
    }

    var isIdle: Bool { held.isEmpty && wanted.isEmpty }

    /// A run that uses named limits: its plan's pools, and a shared pool for each name.
    /// A run taken up again keeps the pools it has, with the leases its earlier attempts still hold.
    mutating func addRun(_ run: String, limits: [String: LimitRule], used: Set<String>) {
        guard !used.isEmpty else { return }
        if perRun[run] == nil {
            perRun[run] = limits.filter { used.contains($0.key) }.mapValues(LimitPool.init(rule:))
        }
        for name in used where shared[name] == nil { shared[name] = LimitPool(rule: LimitRule()) }
    }

    func allows(_ names: [String], run: String, at now: ContinuousClock.Instant) -> Bool {
        names.allSatisfy { name in
            (shared[name]?.allows(at: now) ?? true) && (perRun[run]?[name]?.allows(at: now) ?? true)
        }
    }

    /// A lease taken (granted now, or restored from the journal when `starting` is false).
    mutating func take(_ ref: LeaseRef, node: String, names: [String], starting: Bool, at now: ContinuousClock.Instant) {
        held[ref] = Held(node: node, names: names)
        for name in names {
            shared[name]?.held += 1
            perRun[ref.run]?[name]?.held += 1
            if starting {
                shared[name]?.lastStart = now
                perRun[ref.run]?[name]?.lastStart = now
            }
        }
    }

    /// The lease of `ref` given back; returns what it was.
    mutating func release(_ ref: LeaseRef) -> Held? {
        guard let lease = held.removeValue(forKey: ref) else { return nil }
        for name in lease.names {
            shared[name]?.held -= 1
            perRun[ref.run]?[name]?.held -= 1
        }
        return lease
    }

    /// New starts under `names` wait until `until` (a rate-limited attempt): the shared pools,
    /// so that every run and node using them waits.
    mutating func pause(_ names: [String], until: ContinuousClock.Instant, wall: Double) -> Bool {
        var began = false
        for name in names {
            var pool = shared[name] ?? LimitPool(rule: LimitRule())
            if pool.pausedUntil.map({ $0 < until }) ?? true {
                if pool.pausedUntil == nil { began = true }
                pool.pausedUntil = until
                pool.pausedUntilWall = wall
            }
            shared[name] = pool
        }
        return began
    }

    /// Pauses that have ended are forgotten; returns the names whose pause ended.
    mutating func endPauses(at now: ContinuousClock.Instant) -> [String] {
        var ended: [String] = []
        for (name, pool) in shared where pool.pausedUntil.map({ now >= $0 }) == true {
            shared[name]!.pausedUntil = nil
            shared[name]!.pausedUntilWall = nil
            ended.append(name)
        }
        return ended.sorted()
    }

    /// A finished run's pools go once none of its leases is held.
    mutating func dropRun(_ run: String) {
        guard let pools = perRun[run], pools.values.allSatisfy({ $0.held == 0 }) else { return }
        perRun[run] = nil
    }

    /// For `swell status`: each pool, its leases and waiting tasks.
    func status(at now: ContinuousClock.Instant) -> [LimitStatus] {
        var queued: [String: Int] = [:]
        var queuedByRun: [String: [String: Int]] = [:]
        for (ref, want) in wanted {
            for name in want.names {
                queued[name, default: 0] += 1
                queuedByRun[ref.run, default: [:]][name, default: 0] += 1
            }
        }
        var list = shared.keys.sorted().map { name in
            let pool = shared[name]!
            return LimitStatus(name: name, run: nil, rule: pool.rule, held: pool.held, queued: queued[name] ?? 0,
                               pausedUntil: pool.isPaused(at: now) ? pool.pausedUntilWall : nil)
        }
        for run in perRun.keys.sorted() {
            for name in perRun[run]!.keys.sorted() {
                let pool = perRun[run]![name]!
                guard pool.rule.concurrent != nil || pool.rule.startsPerMinute != nil else { continue }
                // A pause is the shared pool's, and holds for every run's pool of the name.
                let paused = shared[name].flatMap { $0.isPaused(at: now) ? $0.pausedUntilWall : nil }
                list.append(LimitStatus(name: name, run: run, rule: pool.rule, held: pool.held,
                                        queued: queuedByRun[run]?[name] ?? 0, pausedUntil: paused))
            }
        }
        return list
    }
}
