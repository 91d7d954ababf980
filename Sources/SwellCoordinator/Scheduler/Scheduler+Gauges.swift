package import SwellCore
package import SwellProtocol

/// Where the scheduler stands, as the coordinator's metrics show it: counts only, made without
/// a pass over any stage's tasks.
package struct SchedulerGauges: Sendable, Equatable {
    /// A running stage: its tasks waiting for a slot (first attempts and retries, in the pool or
    /// in a share a node has not started them from yet) and those that hold a slot.
    package struct Stage: Sendable, Hashable {
        package var run: String
        package var stage: String
        package var queued: Int
        package var running: Int
    }

    /// Runs in memory by status (finished runs stay a while for their clients).
    package var runs: [RunStatus: Int] = [:]
    /// Tasks of the running runs by status: `waiting`, `retry-pending`, `assigned`, `succeeded`, `failed`.
    package var tasks: [String: Int] = [:]
    package var stages: [Stage] = []
    package var nodes: [NodeState: Int] = [:]
    /// Slots of live nodes, those held by assignments (at most a node's slots), and tasks running
    /// as the nodes last said.
    package var slots = 0
    package var slotsUsed = 0
    package var tasksRunning = 0
    package var dropped = DropCounters()
}

extension Scheduler {
    package var gauges: SchedulerGauges {
        var gauges = SchedulerGauges(dropped: dropped)
        for run in runs.values {
            gauges.runs[run.status, default: 0] += 1
            guard run.status == .running else { continue }
            for stage in run.stages {
                let tasks = stage.tasks
                let counts: [(String, Int)] = [
                    ("waiting", tasks.number(.waiting)), ("retry-pending", tasks.number(.retryPending)),
                    ("assigned", tasks.number(.assigned)), ("succeeded", tasks.number(.succeeded)),
                    ("failed", tasks.number(.failed)),
                ]
                for (status, count) in counts { gauges.tasks[status, default: 0] += count }
                if stage.status == .running {
                    // Handed to a node in a share but not yet started there waits too.
                    let unfinished = tasks.number(.waiting) + tasks.number(.retryPending) + tasks.number(.assigned)
                    gauges.stages.append(.init(run: run.id, stage: stage.id, queued: max(0, unfinished - stage.running),
                                               running: stage.running))
                }
            }
        }
        for node in nodes.values {
            gauges.nodes[node.state, default: 0] += 1
            guard node.isLive else { continue }
            gauges.slots += node.slots
            // Recovered work may queue on a node beyond its slots: it holds none until it starts.
            gauges.slotsUsed += min(node.used, node.slots)
            gauges.tasksRunning += node.running
        }
        return gauges
    }
}
