package import Foundation
package import SwellCore
import SwellPlan

/// What `swell report` shows of a run, worked out from its digest and its reports (without
/// their outputs): every attempt placed on a slot lane of its node, and the figures a user asks
/// first.
///
/// The journal does not record which slot ran an attempt; the lanes are rebuilt by packing each
/// node's attempts, in start order, into the first lane free at their start. A node never runs
/// more at once than its slots, so it gets at most as many lanes as it has slots; its lane count
/// is the most tasks it ran at once.
package struct RunTimeline: Sendable {
    /// How an attempt ended, as the timeline colours it.
    package enum Outcome: String, Sendable, CaseIterable {
        case succeeded
        /// Failed, and ended its task (no retry left, or not retried).
        case failed
        case timedOut = "timed-out"
        case cancelled
        /// Did not succeed and was tried again (a failure with retries left, a rate limit, an
        /// interrupted attempt).
        case retried
    }

    package struct Attempt: Sendable {
        package var stage: String
        package var index: Int
        package var attempt: Int
        package var scope: String
        package var node: String
        package var share: Int
        package var start: Double
        package var end: Double
        package var outcome: Outcome
        /// The task's last attempt.
        package var final: Bool
        /// `exit 2`, `timed out`, `signal 9`, the error.
        package var how: String
        package var command: String
        package var stderrTail: Data
        /// The task ran before on another node, or its share was handed out again after its
        /// node was lost.
        package var reassigned: Bool
        /// The slot lane of its node (0 first).
        package var lane: Int
        package var label: String
        package var seconds: Double { max(0, end - start) }
    }

    package struct NodeUse: Sendable {
        package var name: String
        package var lanes: Int
        package var attempts: Int
        package var busySeconds: Double
        /// Busy time over lanes x the run's wall time.
        package var utilisation: Double
    }

    package struct StageRow: Sendable {
        package var stage: String
        package var wave: Int
        package var status: StageStatus
        package var tasks: Int?
        package var succeeded: Int
        package var failed: Int
        package var attempts: Int
        package var startedAt: Double?
        package var endedAt: Double?
        package var error: String?
        package var p50: Double?
        package var p95: Double?
        package var max: Double?
    }

    package var digest: RunDigest
    /// Attempts in start order.
    package var attempts: [Attempt]
    package var nodes: [NodeUse]
    package var stages: [StageRow]
    /// Stage ids by wave, wave 1 first.
    package var waves: [[String]]
    /// The run's first moment and its last (its end, or the last attempt's end while it runs).
    package var start: Double
    package var end: Double
    /// Tasks with a final report, and those of them that succeeded (reductions not counted).
    package var finished: Int
    package var succeeded: Int
    package var taskSeconds: Double
    /// Durations of the final attempts of tasks: median, 95th percentile, longest.
    package var p50: Double?
    package var p95: Double?
    package var longest: Double?

    package var wallSeconds: Double { max(0, end - start) }
    package var failed: Int { finished - succeeded }

    package init(digest: RunDigest, reports: [Report], now: Double = Date().timeIntervalSince1970) {
        self.digest = digest
        let plan = try? PlanParser.parse(digest.planText, file: digest.file)
        let known = Set(digest.stages.map(\.stage))
        var waves = plan.map(StageGraph.waves(of:)) ?? digest.stages.map { [$0.stage] }
        waves = waves.map { $0.filter(known.contains) }.filter { !$0.isEmpty }
        for stage in digest.stages where !waves.joined().contains(stage.stage) { waves.append([stage.stage]) }
        self.waves = waves

        // Shares handed out again, with the node that has them now: their attempts there ran
        // because another node was lost (those the lost node finished are not reassigned).
        let reshared = Dictionary(digest.shares.filter { $0.attempt > 1 }.map { (ShareKey(stage: $0.stage, share: $0.share), $0.node) },
                                  uniquingKeysWith: { first, _ in first })
        // A task's last attempt is its final one (a failed attempt whose retry has not reported
        // yet counts as final until it does).
        var last: [TaskKey: (attempt: Int, end: Double)] = [:]
        for report in reports {
            let key = TaskKey(stage: report.stage, index: report.index)
            if let known = last[key], (known.attempt, known.end) >= (report.attempt, report.endedAt) { continue }
            last[key] = (report.attempt, report.endedAt)
        }
        var firstNode: [TaskKey: String] = [:]
        var placed: [Attempt] = []
        placed.reserveCapacity(reports.count)
        for report in reports.sorted(by: { ($0.startedAt, $0.attempt) < ($1.startedAt, $1.attempt) }) {
            let key = TaskKey(stage: report.stage, index: report.index)
            let earlier = firstNode[key]
            if earlier == nil { firstNode[key] = report.node }
            let final = last[key].map { $0.attempt == report.attempt && $0.end == report.endedAt } ?? true
            placed.append(Attempt(
                stage: report.stage, index: report.index, attempt: report.attempt, scope: report.scope, node: report.node,
                share: report.share, start: report.startedAt, end: max(report.startedAt, report.endedAt),
                outcome: Self.outcome(report, final: final), final: final, how: report.outcome, command: report.command,
                stderrTail: report.stderrTail,
                reassigned: (earlier != nil && earlier != report.node)
                    || reshared[ShareKey(stage: report.stage, share: report.share)] == report.node,
                lane: 0, label: report.label))
        }
        start = digest.createdAt
        end = digest.endedAt ?? max(now, placed.map(\.end).max() ?? digest.createdAt)

        // Lanes, per node.
        var laneEnds: [String: [Double]] = [:]
        var busy: [String: (attempts: Int, seconds: Double)] = [:]
        for i in placed.indices {
            let node = placed[i].node
            var ends = laneEnds[node] ?? []
            // 1 ms of slack: a slot's next task may be stamped as starting before the last ended.
            let lane = ends.firstIndex { $0 <= placed[i].start + 0.001 } ?? ends.count
            if lane == ends.count { ends.append(placed[i].end) } else { ends[lane] = placed[i].end }
            laneEnds[node] = ends
            placed[i].lane = lane
            busy[node, default: (0, 0)].attempts += 1
            busy[node, default: (0, 0)].seconds += placed[i].seconds
        }
        attempts = placed
        let wall = max(end - start, 0.001)
        nodes = laneEnds.keys.sorted(by: Self.nodeOrder).map { name in
            let lanes = laneEnds[name]!.count
            let use = busy[name]!
            return NodeUse(name: name, lanes: lanes, attempts: use.attempts, busySeconds: use.seconds,
                           utilisation: use.seconds / (Double(lanes) * wall))
        }
        taskSeconds = placed.reduce(0) { $0 + $1.seconds }

        let finals = placed.filter { $0.final && $0.index >= 0 }
        finished = finals.count
        succeeded = finals.filter { $0.outcome == .succeeded }.count
        let durations = finals.map(\.seconds).sorted()
        p50 = Self.percentile(durations, 0.5)
        p95 = Self.percentile(durations, 0.95)
        longest = durations.last

        var byStage: [String: [Attempt]] = [:]
        for attempt in placed { byStage[attempt.stage, default: []].append(attempt) }
        let waveOf = Dictionary(waves.enumerated().flatMap { wave, ids in ids.map { ($0, wave + 1) } },
                                uniquingKeysWith: { first, _ in first })
        stages = digest.stages.map { stage in
            let all = byStage[stage.stage] ?? []
            let taskFinals = all.filter { $0.final && $0.index >= 0 }
            let times = taskFinals.map(\.seconds).sorted()
            return StageRow(stage: stage.stage, wave: waveOf[stage.stage] ?? 0, status: stage.status, tasks: stage.tasks,
                            succeeded: taskFinals.filter { $0.outcome == .succeeded }.count,
                            failed: taskFinals.filter { $0.outcome != .succeeded }.count, attempts: all.count,
                            startedAt: stage.startedAt, endedAt: stage.endedAt, error: stage.error,
                            p50: Self.percentile(times, 0.5), p95: Self.percentile(times, 0.95), max: times.last)
        }
    }

    /// The attempts that ended their tasks and did not succeed, in stage and scope order.
    package var failures: [Attempt] {
        attempts.filter { $0.final && $0.outcome != .succeeded }
            .sorted { ($0.stage, $0.index) < ($1.stage, $1.index) }
    }

    /// The longest final attempts, longest first.
    package func slowest(_ count: Int) -> [Attempt] {
        Array(attempts.filter(\.final).sorted { $0.seconds > $1.seconds }.prefix(count))
    }

    private struct TaskKey: Hashable { var stage: String; var index: Int }
    private struct ShareKey: Hashable { var stage: String; var share: Int }

    private static func outcome(_ report: Report, final: Bool) -> Outcome {
        if report.succeeded { return .succeeded }
        if !final { return .retried }
        if report.wasCancelled { return .cancelled }
        if report.timedOut { return .timedOut }
        return .failed
    }

    /// `node`, `node#2`, ..., `node#10` in that order; other names alphabetically.
    static func nodeOrder(_ a: String, _ b: String) -> Bool {
        a.compare(b, options: .numeric) == .orderedAscending
    }

    /// The nearest-rank percentile of sorted values.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
