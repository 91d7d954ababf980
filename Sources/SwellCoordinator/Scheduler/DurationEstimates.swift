import HeapModule
import SwellProtocol

/// How long each task of a fan-out is expected to run: how long the task of the same scope ran
/// in the latest earlier run of the same plan that ran it (see `Journal.lastDurations`).
///
/// With estimates, a stage's tasks start longest first within each share. When the durations
/// differ enough for that order to matter (``plansShares``), shares are also cut by planned
/// makespan instead of by count, so that the nodes that take them finish together and the last
/// tasks to start are short ones; else they keep the pulled, shrinking shares of scope order,
/// where faster nodes take more. Outputs, summaries and reports stay in scope order; only the
/// order tasks start in changes.
struct DurationEstimates: Sendable {
    /// Stages with more scopes than this keep scope order: their journal lookup would grow with
    /// the stage, and with that many tasks per slot the order matters little.
    static let largestStage = 10_000

    /// Expected seconds by scope index; negative for a scope the earlier run did not have.
    private let seconds: [Double]
    /// What an unknown scope counts as in the work of a share: the mean of the known ones.
    private let fill: Double
    /// Expected seconds of the scopes not in a share yet.
    private(set) var remaining: Double
    /// Whether shares are cut by the durations: the longest task is at least ``plannedLongest``
    /// and twice the shortest. Tasks of about one length gain nothing from a plan, and a plan
    /// gives every node its part from the start, so that a node slower than the others would
    /// finish last; short tasks leave tails too short to plan for.
    let plansShares: Bool
    static let plannedLongest = 0.1
    /// What the plan is: when its shares were to start and how long until the last ends, while
    /// the shares it planned go out (see ``balancedCount(from:units:limit:barrier:at:)``).
    private var planned: (at: ContinuousClock.Instant, makespan: Double)?

    /// Stages where shares are cut by their planned makespan: scopes times slots at most this
    /// (the planning costs about that many steps for each of a few dozen trials).
    static let largestPlanned = 20_000

    /// Nil when none of `scopes` ran before.
    init?(scopes: [String], history: [String: Double]) {
        var seconds = [Double](repeating: -1, count: scopes.count)
        var known = 0
        var sum = 0.0
        var longest = 0.0
        var shortest = Double.infinity
        for (index, scope) in scopes.enumerated() {
            guard let value = history[scope], value.isFinite else { continue }
            seconds[index] = max(0, value)
            known += 1
            sum += seconds[index]
            longest = max(longest, seconds[index])
            shortest = min(shortest, seconds[index])
        }
        guard known > 0 else { return nil }
        plansShares = longest >= Self.plannedLongest && longest >= 2 * shortest
        self.seconds = seconds
        fill = sum / Double(known)
        remaining = sum + fill * Double(scopes.count - known)
    }

    func expected(_ index: Int) -> Double { seconds[index] < 0 ? fill : seconds[index] }

    /// How many scopes from `first` on make a share whose expected work is nearest `work`
    /// seconds: at least 1 and at most `limit`. (Nearest, not the first to reach it: a share that
    /// always went over would leave the last node the least.)
    func count(from first: Int, work: Double, limit: Int) -> Int {
        let end = min(seconds.count, first + max(1, limit))
        var total = 0.0
        var index = first
        while index < end {
            let next = expected(index)
            if index > first, total + next - work > work - total { break }
            total += next
            index += 1
            if total >= work { break }
        }
        return max(1, index - first)
    }

    /// How many scopes from `first` on make the first of the shares that split what is left
    /// among `units` (the slots each share runs on, the one being cut first), each of at most
    /// `limit` scopes, so that the last of them to finish, each run longest first on its
    /// slots, finishes as early as this planning finds (with `barrier` pacing, a wave ends with
    /// its longest task). Nil when the rest does not fit in those shares or is too large to
    /// plan: then shares are cut by expected work (``count(from:work:limit:)``).
    ///
    /// Once planned, the next shares (for nodes that were busy, or that free up) follow the
    /// plan from when it was made: each is what fits in the time left until the planned end
    /// (`now` on), at least one scope, so that a node that frees late takes less, and scopes
    /// left once that time is up go one by one to whichever node frees first.
    mutating func balancedCount(from first: Int, units: [Int], limit: Int, barrier: Bool,
                                at now: ContinuousClock.Instant) -> Int? {
        let end = seconds.count
        let units = units.map { max(1, $0) }
        guard first < end, let widest = units.max(), end - first <= units.count * limit,
              (end - first) * widest <= Self.largestPlanned else { return nil }
        if units.count == 1 { return end - first }
        let slots = units[0]
        if let planned {
            let left = planned.makespan - Double((now - planned.at) / .milliseconds(1)) / 1_000
            return cut(from: first, slots: slots, limit: limit, barrier: barrier, makespan: max(0, left)) - first
        }
        // The makespan is at least the longest task, and at least the work spread over all slots.
        var low = (first..<end).reduce(0) { max($0, expected($1)) }
        low = max(low, (first..<end).reduce(0) { $0 + expected($1) } / Double(units.reduce(0, +)))
        var high = max(low, 1e-6)
        var doublings = 0
        while !fits(from: first, units: units, limit: limit, barrier: barrier, makespan: high) {
            // It fits once the makespan passes the work of the whole rest; never loops forever.
            doublings += 1
            guard doublings < 64 else { return nil }
            high *= 2
        }
        for _ in 0..<24 where high - low > high * 1e-4 {
            let middle = (low + high) / 2
            if fits(from: first, units: units, limit: limit, barrier: barrier, makespan: middle) { high = middle } else { low = middle }
        }
        planned = (now, high)
        return cut(from: first, slots: slots, limit: limit, barrier: barrier, makespan: high) - first
    }

    /// When the last of `range`'s tasks ends if they start longest first on `slots` slots:
    /// rolling, each on whichever slot frees first; barrier, in waves of `slots` that each end
    /// with their longest task.
    func longestFirstEnd(_ range: Range<Int>, slots: Int, barrier: Bool = false) -> Double {
        let sorted = range.map(expected).sorted(by: >)
        let slots = max(1, slots)
        if barrier { return stride(from: 0, to: sorted.count, by: slots).reduce(0) { $0 + sorted[$1] } }
        var ends = Heap<Double>((0..<min(slots, sorted.count)).map { _ in 0 })
        for value in sorted {
            ends.insert(ends.removeMin() + value)
        }
        return ends.max ?? 0
    }

    /// The end of the largest share from `first` on (at least one scope) that finishes by
    /// `makespan` run longest first on `slots` slots.
    private func cut(from first: Int, slots: Int, limit: Int, barrier: Bool, makespan: Double) -> Int {
        var low = first + 1
        var high = min(seconds.count, first + limit)
        while low < high {
            let middle = (low + high + 1) / 2
            if longestFirstEnd(first..<middle, slots: slots, barrier: barrier) <= makespan { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// Whether the scopes from `first` on fit in shares on `units` that each finish by `makespan`.
    private func fits(from first: Int, units: [Int], limit: Int, barrier: Bool, makespan: Double) -> Bool {
        var start = first
        for slots in units where start < seconds.count {
            start = cut(from: start, slots: slots, limit: limit, barrier: barrier, makespan: makespan)
        }
        return start >= seconds.count
    }

    /// `slots` as the shares of one node run them: `width` at most each.
    static func units(of slots: Int, width: Int) -> [Int] {
        let width = max(1, width)
        guard slots > 0 else { return [] }
        return Array(repeating: width, count: slots / width) + (slots % width > 0 ? [slots % width] : [])
    }

    /// Scopes `first..<first + count` went into a share.
    mutating func took(first: Int, count: Int) {
        for index in first..<min(seconds.count, first + count) { remaining -= expected(index) }
        remaining = max(0, remaining)
    }

    /// Puts tasks in the order they should start: scopes with no estimate first (they may be
    /// the longest), then the longest expected; ties in scope order.
    func order(_ tasks: inout [TaskRef]) {
        func key(_ task: TaskRef) -> Double {
            guard task.index >= 0, task.index < seconds.count, seconds[task.index] >= 0 else { return .infinity }
            return seconds[task.index]
        }
        tasks.sort { (key($0), $1.index) > (key($1), $0.index) }
    }
}
