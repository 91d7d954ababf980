import Foundation
import SwellCore
import SwellPlan
import SwellProtocol

/// One run in the coordinator's memory.
struct RunState: Sendable {
    let id: String
    let plan: Plan
    let baseDirectory: String
    var status: RunStatus = .running
    let createdAt: Double
    var endedAt: Double?
    var error: String?
    /// Stage states, in plan order.
    var stages: [StageState]
    /// Attached clients and whether each wants an event per finished task.
    var clients: [Data: Bool] = [:]
    var result: RunResult?
    /// Counts changed since the last progress event.
    var progressDirty = false

    init(id: String, plan: Plan, baseDirectory: String, createdAt: Double, staticScopes: [String: [String]]) {
        self.id = id
        self.plan = plan
        self.baseDirectory = baseDirectory
        self.createdAt = createdAt
        self.stages = plan.stages.map { StageState(stage: $0, staticScopes: staticScopes[$0.id]) }
    }

    func stageIndex(_ id: String) -> Int? { stages.firstIndex { $0.id == id } }

    var counts: (tasks: Int, succeeded: Int, failed: Int, running: Int) {
        var total = (0, 0, 0, 0)
        for stage in stages {
            let c = stage.counts
            total.0 += c.tasks ?? 0
            total.1 += c.succeeded
            total.2 += c.failed
            total.3 += c.running
        }
        return total
    }
}

/// Where one task stands.
struct TaskState: Sendable {
    enum Status: Sendable, Equatable {
        /// Not in any share yet.
        case waiting
        /// Its current attempt runs (or will run) on `node`.
        case assigned
        /// It failed and a retry waits for a free node.
        case retryPending
        case succeeded
        case failed
    }

    var status = Status.waiting
    /// The last attempt handed out (0 before the first).
    var attempt = 0
    /// Failed attempts so far.
    var failures = 0
    /// The share it belongs to.
    var share: Int?
    /// Where the current attempt runs.
    var node: String?
    /// The node of the last failed attempt, to retry elsewhere.
    var failedOn: String?

    var isFinal: Bool { status == .succeeded || status == .failed }
}

/// A share of a fan-out stage.
struct ShareState: Sendable {
    enum Status: Sendable, Equatable {
        case running
        /// A share of a resumed run, still on the node that ran it before the coordinator
        /// restarted: adopted when that node joins again, handed out again after `until`.
        case awaiting(until: Double)
        /// Its node was lost; it waits to be handed out again.
        case orphaned
        case done

        /// The word the journal keeps.
        var name: String {
            switch self {
            case .running: "running"
            case .awaiting: "awaiting"
            case .orphaned: "orphaned"
            case .done: "done"
            }
        }
    }

    let index: Int
    let first: Int
    let count: Int
    var node: String
    var attempt: Int
    var status: Status = .running
    var summary: ShareSummary?
    var summarized = false
}

/// The stage's synthesis or tree reduction: one task over the share summaries.
struct ReduceState: Sendable {
    enum Status: Sendable, Equatable {
        case pending
        case assigned
        case done
    }

    var command: Command
    var stdin: Data
    var status = Status.pending
    var attempt = 0
    var failures = 0
    var node: String?
    var report: Report?
}

/// One stage of a run.
struct StageState: Sendable {
    let stage: Stage
    var status: StageStatus = .pending
    /// Nil until known (a `lines-of` stage learns them when its source finishes).
    var scopes: [String]?
    var tasks: [TaskState] = []
    /// Tasks waiting for a retry, oldest first.
    var retryQueue: [Int] = []
    var shares: [ShareState] = []
    /// Scopes before this index are in a share.
    var nextScope = 0
    var stdin = Data()
    /// Final reports with their output, kept while the stage runs.
    var reports: [Int: Report] = [:]
    /// Tasks with a final report.
    var finalTasks = 0
    var reduce: ReduceState?
    var output: Data?
    var startedAt: Double?
    var endedAt: Double?
    var error: String?
    var summaryFailed = false

    init(stage: Stage, staticScopes: [String]?) {
        self.stage = stage
        if !stage.isFanOut {
            scopes = [""]
        } else {
            scopes = staticScopes
        }
    }

    var id: String { stage.id }
    var isFinished: Bool { [.succeeded, .failed, .cancelled, .skipped].contains(status) }

    var counts: StageCounts {
        var counts = StageCounts(tasks: scopes?.count, shares: shares.count)
        for task in tasks {
            switch task.status {
            case .succeeded: counts.succeeded += 1
            case .failed: counts.failed += 1
            case .assigned: counts.running += 1
            case .waiting, .retryPending: break
            }
        }
        return counts
    }

    var allTasksFinal: Bool { finalTasks == tasks.count }
    var anyTaskFailed: Bool { tasks.contains { $0.status == .failed } }

    /// Reports of every task, in scope order (final ones only).
    var orderedReports: [Report] { reports.keys.sorted().compactMap { reports[$0] } }

    var orderedSummaries: [ShareSummary] { shares.sorted { $0.index < $1.index }.compactMap(\.summary) }

    /// The command that reduces this stage after its shares, if any: `synthesize`, else
    /// `summarize` again over the share summaries (a tree reduction).
    var reduceCommand: Command? { stage.synthesize ?? stage.summarize }
}
