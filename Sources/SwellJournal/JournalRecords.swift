public import Foundation

/// A run as the journal keeps it.
public struct RunRecord: Sendable, Hashable {
    public var id: String
    public var name: String
    public var file: String
    public var baseDirectory: String
    public var planText: String
    /// JSON: `[{"name":..,"value":..}]`.
    public var overrides: Data
    /// JSON: static scopes per stage.
    public var scopes: Data
    public var status: String
    public var createdAt: Double
    public var endedAt: Double?
    public var error: String?
    /// `coordinator` for runs of a `swell-coordinator`, which resumes them after a restart;
    /// `embedded` for runs of `swell run`'s embedded default, which live as long as that process.
    public var origin: String
    /// The process that ran an embedded run.
    public var pid: Int32?

    public init(id: String, name: String, file: String, baseDirectory: String, planText: String, overrides: Data,
                scopes: Data, status: String, createdAt: Double, endedAt: Double?, error: String?,
                origin: String = "coordinator", pid: Int32? = nil) {
        self.origin = origin
        self.pid = pid
        self.id = id
        self.name = name
        self.file = file
        self.baseDirectory = baseDirectory
        self.planText = planText
        self.overrides = overrides
        self.scopes = scopes
        self.status = status
        self.createdAt = createdAt
        self.endedAt = endedAt
        self.error = error
    }
}

/// A stage of a run as the journal keeps it.
public struct StageRecord: Sendable, Hashable {
    public var run: String
    public var stage: String
    public var status: String
    /// JSON array of scopes once known.
    public var scopes: Data?
    public var output: Data?
    public var startedAt: Double?
    public var endedAt: Double?
    public var error: String?

    public init(run: String, stage: String, status: String, scopes: Data?, output: Data?, startedAt: Double?,
                endedAt: Double?, error: String?) {
        self.run = run
        self.stage = stage
        self.status = status
        self.scopes = scopes
        self.output = output
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.error = error
    }
}

/// A share of a fan-out stage as the journal keeps it.
public struct ShareRecord: Sendable, Hashable {
    public var run: String
    public var stage: String
    public var share: Int
    public var first: Int
    public var count: Int
    public var node: String
    public var attempt: Int
    public var status: String
    public var summary: Data?
    public var summaryExit: Int32?
    public var summaryError: String?

    public init(run: String, stage: String, share: Int, first: Int, count: Int, node: String, attempt: Int,
                status: String, summary: Data?, summaryExit: Int32?, summaryError: String?) {
        self.run = run
        self.stage = stage
        self.share = share
        self.first = first
        self.count = count
        self.node = node
        self.attempt = attempt
        self.status = status
        self.summary = summary
        self.summaryExit = summaryExit
        self.summaryError = summaryError
    }
}

/// An assignment in flight: what a node was given and has not finished. A restarted coordinator
/// waits for that node to come back and adopts it rather than running the work again.
public struct AssignmentRecord: Sendable, Hashable {
    public var run: String
    public var stage: String
    /// `share`, `retry` or `reduce`.
    public var kind: String
    public var share: Int
    public var attempt: Int
    /// The first scope index (a retry's task index; -1 for a reduction).
    public var first: Int
    public var node: String
    public var slots: Int
    /// The tasks it runs: pairs of scope index and attempt.
    public var tasks: [[Int]]

    public init(run: String, stage: String, kind: String, share: Int, attempt: Int, first: Int, node: String,
                slots: Int, tasks: [[Int]]) {
        self.run = run
        self.stage = stage
        self.kind = kind
        self.share = share
        self.attempt = attempt
        self.first = first
        self.node = node
        self.slots = slots
        self.tasks = tasks
    }
}

/// A change to the journal's assignments, applied in order within a batch.
public enum AssignmentChange: Sendable {
    case added(AssignmentRecord)
    case removed(run: String, stage: String, kind: String, share: Int, attempt: Int, first: Int)
}
