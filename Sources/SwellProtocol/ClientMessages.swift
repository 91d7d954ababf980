package import Foundation
package import SwellCore

/// A plan to run (client -> coordinator). Directory and file partitions were listed by the
/// client, on the host that runs `swell run`.
package struct Submit: Sendable, Codable {
    package var id: UInt64
    /// The plan file's text and the name the user gave it.
    package var plan: String
    package var file: String
    package var overrides: [VarOverride]
    /// Scopes of static partitions, per stage id.
    package var scopes: [String: [String]]
    /// Send an EVENT for every finished task (for `--joblog` and live progress).
    package var taskEvents: Bool

    package init(id: UInt64, plan: String, file: String, overrides: [VarOverride],
                scopes: [String: [String]], taskEvents: Bool) {
        self.id = id
        self.plan = plan
        self.file = file
        self.overrides = overrides
        self.scopes = scopes
        self.taskEvents = taskEvents
    }
}

/// The run was accepted and has this id (coordinator -> client).
package struct Accepted: Sendable, Codable {
    package var id: UInt64
    package var replyTo: UInt64
    package var run: String
    package init(id: UInt64, replyTo: UInt64, run: String) {
        self.id = id
        self.replyTo = replyTo
        self.run = run
    }
}

/// The plan was refused (coordinator -> client); `message` holds `FILE:LINE:COL: ...` lines.
package struct Rejected: Sendable, Codable {
    package var id: UInt64
    package var replyTo: UInt64
    package var message: String
    package init(id: UInt64, replyTo: UInt64, message: String) {
        self.id = id
        self.replyTo = replyTo
        self.message = message
    }
}

/// Progress of a run (coordinator -> attached clients).
package struct Event: Sendable, Codable {
    package enum Kind: String, Sendable, Codable {
        case stageStarted = "stage-started"
        case stageFinished = "stage-finished"
        case taskFinished = "task-finished"
        case progress
        case notice
    }

    package var id: UInt64
    package var run: String
    package var kind: Kind
    package var stage: String?
    /// For stage events and progress: the stage's counts.
    package var counts: StageCounts?
    /// For `task-finished`: the report without its output.
    package var report: Report?
    /// For a failed task: the end of its stderr (2 KiB at most).
    package var stderr: String?
    /// For notices: a line for the user.
    package var message: String?

    package init(id: UInt64, run: String, kind: Kind, stage: String? = nil, counts: StageCounts? = nil,
                report: Report? = nil, stderr: String? = nil, message: String? = nil) {
        self.stderr = stderr
        self.id = id
        self.run = run
        self.kind = kind
        self.stage = stage
        self.counts = counts
        self.report = report
        self.message = message
    }
}

/// How far a stage has come.
package struct StageCounts: Sendable, Codable, Hashable {
    /// Scopes (1 for a single-task stage); nil until a `lines-of` stage knows them.
    package var tasks: Int?
    package var succeeded: Int
    package var failed: Int
    package var running: Int
    package var shares: Int

    package init(tasks: Int?, succeeded: Int = 0, failed: Int = 0, running: Int = 0, shares: Int = 0) {
        self.tasks = tasks
        self.succeeded = succeeded
        self.failed = failed
        self.running = running
        self.shares = shares
    }
}

/// The outcome of one stage, as `--json` prints it.
package struct StageResult: Sendable, Codable, Hashable {
    package var id: String
    package var status: StageStatus
    package var counts: StageCounts
    package var startedAt: Double?
    package var endedAt: Double?
    package var error: String?

    package init(id: String, status: StageStatus, counts: StageCounts, startedAt: Double?, endedAt: Double?, error: String?) {
        self.id = id
        self.status = status
        self.counts = counts
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.error = error
    }
}

/// A run has ended (coordinator -> client). The payload holds the sink stages' outputs.
package struct RunResult: Sendable, Codable {
    package var id: UInt64
    package var run: String
    package var status: RunStatus
    package var stages: [StageResult]
    /// Sink stage ids, in plan order, matching `outputs`.
    package var sinks: [String]
    package var error: String?
    package var outputs: [Data]

    package init(id: UInt64, run: String, status: RunStatus, stages: [StageResult], sinks: [String], error: String?, outputs: [Data]) {
        self.id = id
        self.run = run
        self.status = status
        self.stages = stages
        self.sinks = sinks
        self.error = error
        self.outputs = outputs
    }
}

/// Follow a run (client -> coordinator): progress events from now on, and its result.
package struct Attach: Sendable, Codable {
    package var id: UInt64
    package var run: String
    package var taskEvents: Bool
    package init(id: UInt64, run: String, taskEvents: Bool) {
        self.id = id
        self.run = run
        self.taskEvents = taskEvents
    }
}

/// Ask for the cluster's state (client -> coordinator).
package struct StatusRequest: Sendable, Codable {
    package var id: UInt64
    package init(id: UInt64) { self.id = id }
}

/// One node as `swell status` shows it.
package struct NodeStatus: Sendable, Codable, Hashable {
    package var name: String
    /// The node process's incarnation (a UUID chosen when it starts).
    package var incarnation: String
    /// How many times this name has joined or been heard from again after suspicion, on this
    /// coordinator: states only move forward within one membership incarnation.
    package var membership: Int
    package var state: String
    package var slots: Int
    package var labels: [String]
    package var running: Int
    /// Seconds since 1970 of the last message from the node.
    package var lastHeartbeat: Double
    package var tasksRun: Int

    package init(name: String, incarnation: String, membership: Int, state: String, slots: Int, labels: [String],
                running: Int, lastHeartbeat: Double, tasksRun: Int) {
        self.name = name
        self.incarnation = incarnation
        self.membership = membership
        self.state = state
        self.slots = slots
        self.labels = labels
        self.running = running
        self.lastHeartbeat = lastHeartbeat
        self.tasksRun = tasksRun
    }
}

/// One run as `swell status` shows it.
package struct RunOverview: Sendable, Codable, Hashable {
    package var run: String
    package var name: String
    package var status: RunStatus
    package var createdAt: Double
    package var endedAt: Double?
    package var tasks: Int
    package var succeeded: Int
    package var failed: Int
    package var running: Int

    package init(run: String, name: String, status: RunStatus, createdAt: Double, endedAt: Double?, tasks: Int,
                succeeded: Int, failed: Int, running: Int) {
        self.run = run
        self.name = name
        self.status = status
        self.createdAt = createdAt
        self.endedAt = endedAt
        self.tasks = tasks
        self.succeeded = succeeded
        self.failed = failed
        self.running = running
    }
}

/// Counters of messages the coordinator dropped, by reason.
package struct DropCounters: Sendable, Codable, Hashable {
    package var malformed: Int
    package var unknownVersion: Int
    package var withoutHello: Int
    package var outOfOrder: Int
    package var unauthorized: Int
    package var tooManyFrames: Int
    package var duplicates: Int

    package init(malformed: Int = 0, unknownVersion: Int = 0, withoutHello: Int = 0, outOfOrder: Int = 0,
                unauthorized: Int = 0, tooManyFrames: Int = 0, duplicates: Int = 0) {
        self.malformed = malformed
        self.unknownVersion = unknownVersion
        self.withoutHello = withoutHello
        self.outOfOrder = outOfOrder
        self.unauthorized = unauthorized
        self.tooManyFrames = tooManyFrames
        self.duplicates = duplicates
    }
}

/// The cluster's state (coordinator -> client).
package struct StatusReply: Sendable, Codable {
    package var id: UInt64
    package var replyTo: UInt64
    package var coordinator: String
    package var endpoint: String
    /// `curve` (peers admitted by key), `loopback` (no keys, loopback only) or `insecure`.
    package var security: String
    package var nodes: [NodeStatus]
    package var runs: [RunOverview]
    package var dropped: DropCounters

    package init(id: UInt64, replyTo: UInt64, coordinator: String, endpoint: String, security: String, nodes: [NodeStatus],
                runs: [RunOverview], dropped: DropCounters) {
        self.id = id
        self.replyTo = replyTo
        self.coordinator = coordinator
        self.endpoint = endpoint
        self.security = security
        self.nodes = nodes
        self.runs = runs
        self.dropped = dropped
    }
}

/// Ask for a run's reports (client -> coordinator), a page at a time.
package struct LogsRequest: Sendable, Codable {
    package var id: UInt64
    package var run: String
    package var stage: String?
    package var scope: String?
    package var offset: Int

    package init(id: UInt64, run: String, stage: String?, scope: String?, offset: Int) {
        self.id = id
        self.run = run
        self.stage = stage
        self.scope = scope
        self.offset = offset
    }
}

/// A page of reports (coordinator -> client). Outputs are in the payload, two parts per
/// report (stdout, stderr tail).
package struct LogsReply: Sendable, Codable {
    package var id: UInt64
    package var replyTo: UInt64
    package var run: String
    package var reports: [Report]
    /// Offset of the next page, nil on the last page.
    package var next: Int?

    package init(id: UInt64, replyTo: UInt64, run: String, reports: [Report], next: Int?) {
        self.id = id
        self.replyTo = replyTo
        self.run = run
        self.reports = reports
        self.next = next
    }
}
