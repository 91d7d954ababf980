public import Foundation
public import SwellCore

/// A plan to run (client -> coordinator). Directory and file partitions were listed by the
/// client, on the host that runs `swell run`.
public struct Submit: Sendable, Codable {
    public var id: UInt64
    /// The plan file's text and the name the user gave it.
    public var plan: String
    public var file: String
    /// The plan file's folder on the client's host.
    public var baseDirectory: String
    public var overrides: [VarOverride]
    /// Scopes of static partitions, per stage id.
    public var scopes: [String: [String]]
    /// Send an EVENT for every finished task (for `--joblog` and live progress).
    public var taskEvents: Bool

    public init(id: UInt64, plan: String, file: String, baseDirectory: String, overrides: [VarOverride],
                scopes: [String: [String]], taskEvents: Bool) {
        self.id = id
        self.plan = plan
        self.file = file
        self.baseDirectory = baseDirectory
        self.overrides = overrides
        self.scopes = scopes
        self.taskEvents = taskEvents
    }
}

public struct VarOverride: Sendable, Codable, Hashable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The run was accepted and has this id (coordinator -> client).
public struct Accepted: Sendable, Codable {
    public var id: UInt64
    public var replyTo: UInt64
    public var run: String
    public init(id: UInt64, replyTo: UInt64, run: String) {
        self.id = id
        self.replyTo = replyTo
        self.run = run
    }
}

/// The plan was refused (coordinator -> client); `message` holds `FILE:LINE:COL: ...` lines.
public struct Rejected: Sendable, Codable {
    public var id: UInt64
    public var replyTo: UInt64
    public var message: String
    public init(id: UInt64, replyTo: UInt64, message: String) {
        self.id = id
        self.replyTo = replyTo
        self.message = message
    }
}

/// Progress of a run (coordinator -> attached clients).
public struct Event: Sendable, Codable {
    public enum Kind: String, Sendable, Codable {
        case stageStarted = "stage-started"
        case stageFinished = "stage-finished"
        case taskFinished = "task-finished"
        case progress
        case notice
    }

    public var id: UInt64
    public var run: String
    public var kind: Kind
    public var stage: String?
    /// For stage events and progress: the stage's counts.
    public var counts: StageCounts?
    /// For `task-finished`: the report without its output.
    public var report: Report?
    /// For a failed task: the end of its stderr (2 KiB at most).
    public var stderr: String?
    /// For notices: a line for the user.
    public var message: String?

    public init(id: UInt64, run: String, kind: Kind, stage: String? = nil, counts: StageCounts? = nil,
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
public struct StageCounts: Sendable, Codable, Hashable {
    /// Scopes (1 for a single-task stage); nil until a `lines-of` stage knows them.
    public var tasks: Int?
    public var succeeded: Int
    public var failed: Int
    public var running: Int
    public var shares: Int

    public init(tasks: Int?, succeeded: Int = 0, failed: Int = 0, running: Int = 0, shares: Int = 0) {
        self.tasks = tasks
        self.succeeded = succeeded
        self.failed = failed
        self.running = running
        self.shares = shares
    }
}

public enum RunStatus: String, Sendable, Codable {
    case running
    case succeeded
    /// Finished, with failed tasks.
    case failed
    case cancelled
}

public enum StageStatus: String, Sendable, Codable {
    case pending
    case running
    case succeeded
    case failed
    case cancelled
    case skipped
}

/// The outcome of one stage, as `--json` prints it.
public struct StageResult: Sendable, Codable, Hashable {
    public var id: String
    public var status: StageStatus
    public var counts: StageCounts
    public var startedAt: Double?
    public var endedAt: Double?
    public var error: String?

    public init(id: String, status: StageStatus, counts: StageCounts, startedAt: Double?, endedAt: Double?, error: String?) {
        self.id = id
        self.status = status
        self.counts = counts
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.error = error
    }
}

/// A run has ended (coordinator -> client). The payload holds the sink stages' outputs.
public struct RunResult: Sendable, Codable {
    public var id: UInt64
    public var run: String
    public var status: RunStatus
    public var stages: [StageResult]
    /// Sink stage ids, in plan order, matching `outputs`.
    public var sinks: [String]
    public var error: String?
    public var outputs: [Data]

    public init(id: UInt64, run: String, status: RunStatus, stages: [StageResult], sinks: [String], error: String?, outputs: [Data]) {
        self.id = id
        self.run = run
        self.status = status
        self.stages = stages
        self.sinks = sinks
        self.error = error
        self.outputs = outputs
    }

    enum CodingKeys: String, CodingKey { case id, run, status, stages, sinks, error }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(UInt64.self, forKey: .id)
        run = try c.decode(String.self, forKey: .run)
        status = try c.decode(RunStatus.self, forKey: .status)
        stages = try c.decode([StageResult].self, forKey: .stages)
        sinks = try c.decode([String].self, forKey: .sinks)
        error = try c.decodeIfPresent(String.self, forKey: .error)
        outputs = []
    }
}

/// Follow a run (client -> coordinator): progress events from now on, and its result.
public struct Attach: Sendable, Codable {
    public var id: UInt64
    public var run: String
    public var taskEvents: Bool
    public init(id: UInt64, run: String, taskEvents: Bool) {
        self.id = id
        self.run = run
        self.taskEvents = taskEvents
    }
}

/// Ask for the cluster's state (client -> coordinator).
public struct StatusRequest: Sendable, Codable {
    public var id: UInt64
    public init(id: UInt64) { self.id = id }
}

/// One node as `swell status` shows it.
public struct NodeStatus: Sendable, Codable, Hashable {
    public var name: String
    /// The node process's incarnation (a UUID chosen when it starts).
    public var incarnation: String
    /// How many times this name has joined or been heard from again after suspicion, on this
    /// coordinator: states only move forward within one membership incarnation.
    public var membership: Int
    public var state: String
    public var slots: Int
    public var labels: [String]
    public var running: Int
    /// Seconds since 1970 of the last message from the node.
    public var lastHeartbeat: Double
    public var tasksRun: Int

    public init(name: String, incarnation: String, membership: Int, state: String, slots: Int, labels: [String],
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
public struct RunSummary: Sendable, Codable, Hashable {
    public var run: String
    public var name: String
    public var status: RunStatus
    public var createdAt: Double
    public var endedAt: Double?
    public var tasks: Int
    public var succeeded: Int
    public var failed: Int
    public var running: Int

    public init(run: String, name: String, status: RunStatus, createdAt: Double, endedAt: Double?, tasks: Int,
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
public struct DropCounters: Sendable, Codable, Hashable {
    public var malformed: Int
    public var unknownVersion: Int
    public var withoutHello: Int
    public var outOfOrder: Int
    public var unauthorized: Int
    public var tooManyFrames: Int
    public var duplicates: Int

    public init(malformed: Int = 0, unknownVersion: Int = 0, withoutHello: Int = 0, outOfOrder: Int = 0,
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
public struct StatusReply: Sendable, Codable {
    public var id: UInt64
    public var replyTo: UInt64
    public var coordinator: String
    public var endpoint: String
    /// `curve` (peers admitted by key), `loopback` (no keys, loopback only) or `insecure`.
    public var security: String
    public var nodes: [NodeStatus]
    public var runs: [RunSummary]
    public var dropped: DropCounters

    public init(id: UInt64, replyTo: UInt64, coordinator: String, endpoint: String, security: String, nodes: [NodeStatus],
                runs: [RunSummary], dropped: DropCounters) {
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
public struct LogsRequest: Sendable, Codable {
    public var id: UInt64
    public var run: String
    public var stage: String?
    public var scope: String?
    public var offset: Int

    public init(id: UInt64, run: String, stage: String?, scope: String?, offset: Int) {
        self.id = id
        self.run = run
        self.stage = stage
        self.scope = scope
        self.offset = offset
    }
}

/// A page of reports (coordinator -> client). Outputs are in the payload, two parts per
/// report (stdout, stderr tail).
public struct LogsReply: Sendable, Codable {
    public var id: UInt64
    public var replyTo: UInt64
    public var run: String
    public var reports: [Report]
    /// Offset of the next page, nil on the last page.
    public var next: Int?

    public init(id: UInt64, replyTo: UInt64, run: String, reports: [Report], next: Int?) {
        self.id = id
        self.replyTo = replyTo
        self.run = run
        self.reports = reports
        self.next = next
    }
}
