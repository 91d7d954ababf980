import Foundation
import SwellCore
import SwellPlan
import SwellProtocol

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
    var isFinished: Bool { status.isFinished }

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

    /// What the reduction reads: the share summaries in share order when the stage summarizes,
    /// else the reports in scope order.
    var reduceInput: Data {
        stage.summarize != nil ? stage.input.render(summaries: orderedSummaries) : stage.input.render(reports: orderedReports)
    }

    /// The first and last scope of `first..<first + count` ("" where there is none).
    func bounds(first: Int, count: Int) -> (first: String, last: String) {
        let scopes = scopes ?? []
        guard count > 0 else { return ("", "") }
        return (scopes.indices.contains(first) ? scopes[first] : "",
                scopes.indices.contains(first + count - 1) ? scopes[first + count - 1] : "")
    }

    /// The stage as the journal keeps it; with its scopes or its output when asked.
    func entry(scopes withScopes: Bool = false, output withOutput: Bool = false) -> StageEntry {
        StageEntry(stage: id, status: status, scopes: withScopes ? scopes : nil, output: withOutput ? output : nil,
                   startedAt: startedAt, endedAt: endedAt, error: error)
    }
}
