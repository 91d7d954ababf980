import Foundation
import SwellCore
import SwellPlan
import SwellProtocol

/// One run in the coordinator's memory.
struct RunState: Sendable {
    let id: String
    let plan: Plan
    var status: RunStatus = .running
    let createdAt: Double
    /// The plan's folder below each node's workdir (`RunFolder`).
    let folder: String
    /// Stages' prompt templates, by stage id.
    let prompts: [String: String]
    var endedAt: Double?
    var error: String?
    /// Stage states, in plan order.
    var stages: [StageState]
    /// Attached clients and whether each wants an event per finished task.
    var clients: [Data: Bool] = [:]
    var result: RunResult?
    /// How far the sink outputs could be read when the output streams were last told.
    var toldSinks: [SinkProgress] = []
    /// Counts changed since the last progress event.
    var progressDirty = false
    /// Its clients were told that its work waits for a node to join: the next node that joins is news.
    var waitsForNode = false
    /// The tasks running that the journal last recorded, for `swell status --state`.
    var journaledRunning = 0
    /// When the run last went on (`--continue`, `--retry-failed`): how long a stage took is
    /// counted from there, not from when it first started.
    var continuedAt: Double?
    /// What the run may spend, and what its attempts have spent so far.
    var budget: Budget?
    var spent = Spending()
    /// Why the run starts nothing more (its budget is spent) while its running tasks finish.
    var exhausted: String?
    /// The nodes still finishing the run's running tasks, and the CANCEL (drain) each will acknowledge.
    var draining: [String: UInt64] = [:]

    init(id: String, plan: Plan, createdAt: Double, staticScopes: [String: [String]], folder: String = "",
         prompts: [String: String] = [:]) {
        self.prompts = prompts
        self.id = id
        self.plan = plan
        self.createdAt = createdAt
        self.folder = folder
        self.stages = plan.stages.map { StageState(stage: $0, staticScopes: staticScopes[$0.id]) }
        let read = Set(plan.stages.flatMap { $0.needs + ($0.partition?.sourceStage.map { [$0] } ?? []) })
        for i in stages.indices { stages[i].consumed = read.contains(stages[i].id) }
    }

    func stageIndex(_ id: String) -> Int? { stages.firstIndex { $0.id == id } }

    /// The RESULT of the run as it stands: its status and error, each stage's, the sinks.
    var currentResult: RunResult {
        var result = RunResult(id: 0, run: id, status: status,
                               stages: stages.map { StageResult(id: $0.id, status: $0.status, counts: $0.counts, startedAt: $0.startedAt,
                                                                endedAt: $0.endedAt, error: $0.error) },
                               sinks: plan.sinks.map(\.id), error: error)
        result.continuedAt = continuedAt
        return result
    }

    /// How much of each sink's output (in plan order) can be read from the journal now.
    mutating func sinkProgress() -> [SinkProgress] {
        plan.sinks.map { sink in
            guard let i = stageIndex(sink.id) else { return .nothing }
            return stages[i].sinkProgress()
        }
    }

    /// The stdin of the stage at `index`: the outputs of its `needs`, in `needs` order.
    /// One need's output is shared, not copied.
    func stdin(ofStage index: Int) -> Data {
        let outputs = stages[index].stage.needs.compactMap { need in stageIndex(need).flatMap { stages[$0].output } }
        if outputs.count == 1 { return outputs[0] }
        var stdin = Data()
        stdin.reserveCapacity(outputs.reduce(0) { $0 + $1.count })
        for output in outputs { stdin.append(output) }
        return stdin
    }

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
