import Foundation
import Prometheus
import Synchronization
import SwellCore
import SwellProtocol

/// The coordinator's Prometheus metrics (`swell-coordinator --metrics`), each documented in
/// docs/observability.md. The loop records what passes through it (journal writes, reports,
/// runs ending) and sets the gauges from ``SchedulerGauges`` at each tick (10 a second); scrapes read the
/// registry from the server's thread.
package final class CoordinatorMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let journalWrite: DurationHistogram
    private let reportLatency: DurationHistogram
    private let slots: Gauge
    private let slotsUsed: Gauge
    private let tasksRunning: Gauge
    /// What the gauges were last set from, and the stage gauges registered.
    private let last = Mutex(Last())

    private struct Last: Sendable {
        var dropped = DropCounters()
        var stages: [StageKey: (queued: Gauge, running: Gauge)] = [:]
    }

    private struct StageKey: Hashable, Sendable {
        var run: String
        var stage: String
    }

    static let latencyBuckets: [Duration] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000].map { .milliseconds($0) }
    static let writeBuckets: [Duration] = [0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000].map { .microseconds(Int($0 * 1_000)) }
    static let dropReasons = ["malformed", "unknown_version", "without_hello", "out_of_order", "unauthorized",
                              "too_many_frames", "duplicate", "unknown_run"]

    /// The counters in the order of `dropReasons`.
    static func dropCounts(_ d: DropCounters) -> [Int] {
        [d.malformed, d.unknownVersion, d.withoutHello, d.outOfOrder, d.unauthorized, d.tooManyFrames, d.duplicates, d.unknownRun]
    }
    static let taskStatuses = ["waiting", "retry-pending", "assigned", "succeeded", "failed"]
    static let outcomes = ["succeeded", "failed", "timed_out", "cancelled", "error"]

    package init() {
        journalWrite = registry.makeDurationHistogram(
            name: "swell_journal_write_seconds", buckets: Self.writeBuckets,
            help: "Time to commit one batch of the loop's changes to the journal (one SQLite transaction).")
        reportLatency = registry.makeDurationHistogram(
            name: "swell_report_latency_seconds", buckets: Self.latencyBuckets,
            help: "From a report's arrival at the coordinator's socket until it is journaled and acknowledged.")
        slots = registry.makeGauge(name: "swell_slots", help: "Slots of the nodes that are up, joining or suspect.")
        slotsUsed = registry.makeGauge(name: "swell_slots_in_use", help: "Slots held by work handed to nodes.")
        tasksRunning = registry.makeGauge(name: "swell_tasks_running", help: "Task processes running, as the nodes last said.")
        // Every labelled series exists from the start, at 0, so that rate() and absent() work.
        for status in RunStatus.allCases {
            _ = runs(status)
            if status != .running { _ = runsFinished(status) }
        }
        for status in Self.taskStatuses { _ = tasks(status) }
        for outcome in Self.outcomes {
            for final in [true, false] { _ = attempts(outcome, final: final) }
        }
        for state in NodeState.all { _ = nodes(state) }
        for reason in Self.dropReasons { _ = dropped(reason) }
    }

    // MARK: Recording

    /// One journal write took `duration`.
    func journalWritten(in duration: Duration) { journalWrite.record(duration) }

    /// A report that arrived at `arrival` is journaled and acknowledged now.
    func reportHandled(arrivedAt arrival: ContinuousClock.Instant, now: ContinuousClock.Instant = .now) {
        reportLatency.record(max(.zero, now - arrival))
    }

    /// What a batch of changes says: attempts that came in, runs that ended.
    func count(_ changes: [JournalChange]) {
        for change in changes {
            switch change {
            case .reportReceived(let report, let final):
                attempts(Self.outcome(report), final: final).increment()
            case .runFinished(_, let status, _, _):
                runsFinished(status).increment()
            default:
                break
            }
        }
    }

    /// Sets the gauges from the scheduler's counts.
    func update(_ gauges: SchedulerGauges) {
        for status in RunStatus.allCases { runs(status).set(Double(gauges.runs[status] ?? 0)) }
        for status in Self.taskStatuses { tasks(status).set(Double(gauges.tasks[status] ?? 0)) }
        for state in NodeState.all { nodes(state).set(Double(gauges.nodes[state] ?? 0)) }
        slots.set(Double(gauges.slots))
        slotsUsed.set(Double(gauges.slotsUsed))
        tasksRunning.set(Double(gauges.tasksRunning))
        last.withLock { last in
            let before = Self.dropCounts(last.dropped), after = Self.dropCounts(gauges.dropped)
            for (i, reason) in Self.dropReasons.enumerated() where after[i] > before[i] {
                dropped(reason).increment(by: Int64(after[i] - before[i]))
            }
            last.dropped = gauges.dropped
            // A stage's series go when it stops running: a coordinator that runs for months
            // does not keep one per stage it ever ran.
            let running = Set(gauges.stages.map { StageKey(run: $0.run, stage: $0.stage) })
            for (key, pair) in last.stages where !running.contains(key) {
                registry.unregisterGauge(pair.queued)
                registry.unregisterGauge(pair.running)
                last.stages[key] = nil
            }
            for stage in gauges.stages {
                let key = StageKey(run: stage.run, stage: stage.stage)
                let pair = last.stages[key] ?? (
                    registry.makeGauge(name: "swell_stage_queued_tasks", labels: [("run", stage.run), ("stage", stage.stage)],
                                       help: "Tasks of a running stage waiting for a slot (first attempts and retries)."),
                    registry.makeGauge(name: "swell_stage_running_tasks", labels: [("run", stage.run), ("stage", stage.stage)],
                                       help: "Tasks of a running stage that hold a slot on a node."))
                last.stages[key] = pair
                pair.queued.set(Double(stage.queued))
                pair.running.set(Double(stage.running))
            }
        }
    }

    /// The text format Prometheus scrapes.
    package func exposition() -> [UInt8] { registry.emitToBuffer() }

    // MARK: Series

    private func runs(_ status: RunStatus) -> Gauge {
        registry.makeGauge(name: "swell_runs", labels: [("status", status.rawValue)],
                           help: "Runs in the coordinator's memory by status (finished runs stay a while for their clients).")
    }

    private func runsFinished(_ status: RunStatus) -> Counter {
        registry.makeCounter(name: "swell_runs_finished_total", labels: [("status", status.rawValue)],
                             help: "Runs that ended, by how they ended.")
    }

    private func tasks(_ status: String) -> Gauge {
        registry.makeGauge(name: "swell_tasks", labels: [("status", status)],
                           help: "Tasks of the running runs by status.")
    }

    private func attempts(_ outcome: String, final: Bool) -> Counter {
        registry.makeCounter(name: "swell_task_attempts_total", labels: [("outcome", outcome), ("final", final ? "true" : "false")],
                             help: "Task attempts reported, by outcome; final=false: the task is tried again.")
    }

    private func nodes(_ state: NodeState) -> Gauge {
        registry.makeGauge(name: "swell_nodes", labels: [("state", state.rawValue)],
                           help: "Nodes by state (down and left ones are listed for 10 minutes).")
    }

    private func dropped(_ reason: String) -> Counter {
        registry.makeCounter(name: "swell_dropped_messages_total", labels: [("reason", reason)],
                             help: "Messages the coordinator dropped, by reason.")
    }

    static func outcome(_ report: Report) -> String {
        if report.succeeded { return "succeeded" }
        if report.wasCancelled { return "cancelled" }
        if report.timedOut { return "timed_out" }
        if report.error != nil { return "error" }
        return "failed"
    }
}

extension NodeState {
    static let all: [NodeState] = [.joining, .up, .suspect, .down, .left]
}
