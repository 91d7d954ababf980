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
///
/// Reports are taken one at a time (``Builder``), in the order the journal gives them (stage,
/// then scope, attempts in order), and kept small: beyond ``ReportPage/drawEachAttemptUpTo``
/// attempts, only the failures shown and the slowest attempts keep their text, so a run of a
/// million tasks fits in about 100 bytes an attempt.
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

    /// What an attempt's text is: kept only where the page shows it.
    package final class Detail: Sendable {
        /// `scan[3] src/core`.
        package let label: String
        /// `exit 2`, `timed out`, `signal 9`, the error.
        package let how: String
        package let command: String
        /// The end of the stderr tail, for a failure the page lists; nil otherwise.
        package let stderrTail: Data?

        init(_ report: Report, stderr: Bool) {
            label = report.label
            how = report.outcome
            command = String(report.command.prefix(ReportPage.commandShown))
            stderrTail = stderr ? report.stderrTail.suffix(ReportPage.stderrShown) : nil
        }
    }

    package struct Attempt: Sendable {
        package var stage: String
        package var index: Int
        package var attempt: Int
        package var node: String
        package var share: Int
        package var start: Double
        package var end: Double
        package var outcome: Outcome
        /// The task's last attempt.
        package var final: Bool
        /// The task ran before on another node, or its share was handed out again after its
        /// node was lost.
        package var reassigned: Bool
        /// The slot lane of its node (0 first).
        package var lane: Int
        package var detail: Detail?
        package var seconds: Double { max(0, end - start) }
        package var label: String { detail?.label ?? (index >= 0 ? "\(stage)[\(index)]" : "\(stage) (reduce)") }
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
    /// Each attempt has its text (the page draws each one).
    package var detailed: Bool
    package var nodes: [NodeUse]
    package var stages: [StageRow]
    /// Stage ids by wave, wave 1 first.
    package var waves: [[String]]
    /// The run's first moment and its last (its end, or now while it runs).
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
    /// Attempts that ended their tasks and did not succeed (reductions included), and the first
    /// of them in stage and scope order, with their text.
    package var failureCount: Int
    package var failures: [Attempt]
    /// The longest attempts, longest first, with their text.
    package var slowest: [Attempt]

    package var wallSeconds: Double { max(0, end - start) }
    package var failed: Int { finished - succeeded }

    /// A timeline of `reports`, in any order.
    package init(digest: RunDigest, reports: [Report], now: Double = Date().timeIntervalSince1970) {
        var builder = Builder(digest: digest)
        for report in reports.sorted(by: { ($0.stage, $0.index, $0.attempt, $0.endedAt) < ($1.stage, $1.index, $1.attempt, $1.endedAt) }) {
            builder.add(report)
        }
        self = builder.finish(now: now)
    }

    /// Takes reports grouped by task, attempts in order (as the journal and a coordinator's
    /// brief LOGS pages give them), one at a time.
    package struct Builder: Sendable {
        let digest: RunDigest
        /// Shares handed out again, with the node that has them now: their attempts there ran
        /// because another node was lost (those the lost node finished are not reassigned).
        let reshared: [ShareKey: String]
        private(set) var attempts: [Attempt] = []
        /// The current task's attempts and their reports, until a report of another task comes.
        private var task: [(attempt: Attempt, report: Report)] = []
        private var detailed = true
        private var failureCount = 0
        private var failures: [Attempt] = []
        /// Indices in `attempts` of the longest so far, kept with their text.
        private var slowest: [Int] = []

        package init(digest: RunDigest) {
            self.digest = digest
            reshared = Dictionary(digest.shares.filter { $0.attempt > 1 }.map { (ShareKey(stage: $0.stage, share: $0.share), $0.node) },
                                  uniquingKeysWith: { first, _ in first })
        }

        package mutating func add(_ report: Report) {
            if let first = task.first?.report, first.stage != report.stage || first.index != report.index { flush() }
            let attempt = Attempt(stage: report.stage, index: report.index, attempt: report.attempt, node: report.node,
                                  share: report.share, start: report.startedAt, end: max(report.startedAt, report.endedAt),
                                  outcome: .succeeded, final: false, reassigned: false, lane: 0, detail: nil)
            task.append((attempt, report))
        }

        /// The current task is complete: its last attempt is final (a failed attempt whose retry
        /// has not reported yet counts as final until it does).
        private mutating func flush() {
            for (i, entry) in task.enumerated() {
                var attempt = entry.attempt
                let report = entry.report
                attempt.final = i == task.count - 1
                attempt.outcome = RunTimeline.outcome(report, final: attempt.final)
                attempt.reassigned = task[..<i].contains { $0.report.node != report.node }
                    || reshared[ShareKey(stage: report.stage, share: report.share)] == report.node
                let listed = attempt.final && attempt.outcome != .succeeded
                if listed { failureCount += 1 }
                let shown = listed && failures.count < ReportPage.failuresShown
                if detailed || shown || isAmongSlowest(attempt) {
                    attempt.detail = Detail(report, stderr: shown)
                }
                if shown { failures.append(attempt) }
                attempts.append(attempt)
                noteSlowest(attempts.count - 1)
                if detailed, attempts.count > ReportPage.drawEachAttemptUpTo { dropDetails() }
            }
            task.removeAll(keepingCapacity: true)
        }

        private func isAmongSlowest(_ attempt: Attempt) -> Bool {
            slowest.count < ReportPage.slowestShown || attempt.seconds > attempts[slowest.last!].seconds
        }

        /// Keeps `index` among the slowest if it is one; an attempt pushed out loses its text.
        private mutating func noteSlowest(_ index: Int) {
            let seconds = attempts[index].seconds
            guard isAmongSlowest(attempts[index]) else { return }
            let at = slowest.firstIndex { attempts[$0].seconds < seconds } ?? slowest.count
            slowest.insert(index, at: at)
            if slowest.count > ReportPage.slowestShown {
                let out = slowest.removeLast()
                if !detailed { attempts[out].detail = nil }
            }
        }

        /// Past the threshold: only the slowest keep their text.
        private mutating func dropDetails() {
            detailed = false
            let keep = Set(slowest)
            for i in attempts.indices where !keep.contains(i) { attempts[i].detail = nil }
        }

        package mutating func finish(now: Double = Date().timeIntervalSince1970) -> RunTimeline {
            flush()
            let slow = slowest.map { attempts[$0] }
            return RunTimeline(digest: digest, attempts: attempts, detailed: detailed, failureCount: failureCount,
                               failures: failures, slowest: slow, now: now)
        }
    }

    private init(digest: RunDigest, attempts unordered: [Attempt], detailed: Bool, failureCount: Int,
                 failures: [Attempt], slowest: [Attempt], now: Double) {
        self.digest = digest
        self.detailed = detailed
        self.failureCount = failureCount
        self.failures = failures
        self.slowest = slowest
        let plan = try? PlanParser.parse(digest.planText, file: digest.file)
        let known = Set(digest.stages.map(\.stage))
        var waves = plan.map(StageGraph.waves(of:)) ?? digest.stages.map { [$0.stage] }
        waves = waves.map { $0.filter(known.contains) }.filter { !$0.isEmpty }
        for stage in digest.stages where !waves.joined().contains(stage.stage) { waves.append([stage.stage]) }
        self.waves = waves

        var placed = unordered
        placed.sort { ($0.start, $0.attempt) < ($1.start, $1.attempt) }
        start = digest.createdAt
        end = digest.endedAt ?? max(now, placed.map(\.end).max() ?? digest.createdAt)

        // Lanes, per node; stage figures in the same pass.
        var laneEnds: [String: [Double]] = [:]
        var busy: [String: (attempts: Int, seconds: Double)] = [:]
        var perStage: [String: (attempts: Int, succeeded: Int, failed: Int, durations: [Double])] = [:]
        var durations: [Double] = []
        var finished = 0, succeeded = 0
        var taskSeconds = 0.0
        for i in placed.indices {
            let attempt = placed[i]
            var ends = laneEnds[attempt.node] ?? []
            // 1 ms of slack: a slot's next task may be stamped as starting before the last ended.
            let lane = ends.firstIndex { $0 <= attempt.start + 0.001 } ?? ends.count
            if lane == ends.count { ends.append(attempt.end) } else { ends[lane] = attempt.end }
            laneEnds[attempt.node] = ends
            placed[i].lane = lane
            busy[attempt.node, default: (0, 0)].attempts += 1
            busy[attempt.node, default: (0, 0)].seconds += attempt.seconds
            taskSeconds += attempt.seconds
            perStage[attempt.stage, default: (0, 0, 0, [])].attempts += 1
            guard attempt.final, attempt.index >= 0 else { continue }
            finished += 1
            durations.append(attempt.seconds)
            perStage[attempt.stage]!.durations.append(attempt.seconds)
            if attempt.outcome == .succeeded {
                succeeded += 1
                perStage[attempt.stage]!.succeeded += 1
            } else {
                perStage[attempt.stage]!.failed += 1
            }
        }
        attempts = placed
        self.finished = finished
        self.succeeded = succeeded
        self.taskSeconds = taskSeconds
        let wall = max(end - start, 0.001)
        nodes = laneEnds.keys.sorted(by: Self.nodeOrder).map { name in
            let lanes = laneEnds[name]!.count
            let use = busy[name]!
            return NodeUse(name: name, lanes: lanes, attempts: use.attempts, busySeconds: use.seconds,
                           utilisation: use.seconds / (Double(lanes) * wall))
        }
        durations.sort()
        p50 = Self.percentile(durations, 0.5)
        p95 = Self.percentile(durations, 0.95)
        longest = durations.last

        let waveOf = Dictionary(waves.enumerated().flatMap { wave, ids in ids.map { ($0, wave + 1) } },
                                uniquingKeysWith: { first, _ in first })
        stages = digest.stages.map { stage in
            let figures = perStage[stage.stage] ?? (0, 0, 0, [])
            let times = figures.durations.sorted()
            return StageRow(stage: stage.stage, wave: waveOf[stage.stage] ?? 0, status: stage.status, tasks: stage.tasks,
                            succeeded: figures.succeeded, failed: figures.failed, attempts: figures.attempts,
                            startedAt: stage.startedAt, endedAt: stage.endedAt, error: stage.error,
                            p50: Self.percentile(times, 0.5), p95: Self.percentile(times, 0.95), max: times.last)
        }
    }

    struct ShareKey: Hashable { var stage: String; var share: Int }

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
