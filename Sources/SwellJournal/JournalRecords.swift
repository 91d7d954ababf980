package import Foundation

/// A run as the journal keeps it.
package struct RunRecord: Sendable, Hashable {
    package var id: String
    package var name: String
    package var file: String
    package var baseDirectory: String
    package var planText: String
    /// JSON: `[{"name":..,"value":..}]`.
    package var overrides: Data
    /// JSON: static scopes per stage.
    package var scopes: Data
    package var status: String
    package var createdAt: Double
    package var endedAt: Double?
    package var error: String?
    /// `coordinator` for runs of a `swell-coordinator`, which resumes them after a restart;
    /// `embedded` for runs of `swell run`'s embedded default, which live as long as that process.
    package var origin: String
    /// The process that ran an embedded run.
    package var pid: Int32?

    package init(id: String, name: String, file: String, baseDirectory: String, planText: String, overrides: Data,
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
package struct StageRecord: Sendable, Hashable {
    package var run: String
    package var stage: String
    package var status: String
    /// JSON array of scopes once known.
    package var scopes: Data?
    package var output: Data?
    package var startedAt: Double?
    package var endedAt: Double?
    package var error: String?

    package init(run: String, stage: String, status: String, scopes: Data?, output: Data?, startedAt: Double?,
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
package struct ShareRecord: Sendable, Hashable {
    package var run: String
    package var stage: String
    package var share: Int
    package var first: Int
    package var count: Int
    package var node: String
    package var attempt: Int
    package var status: String
    package var summary: Data?
    package var summaryExit: Int32?
    package var summaryError: String?

    package init(run: String, stage: String, share: Int, first: Int, count: Int, node: String, attempt: Int,
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
package struct AssignmentRecord: Sendable, Hashable {
    package var run: String
    package var stage: String
    /// `share`, `retry` or `reduce`.
    package var kind: String
    package var share: Int
    package var attempt: Int
    /// The first scope index (a retry's task index; -1 for a reduction).
    package var first: Int
    package var node: String
    package var slots: Int
    /// The tasks it runs: pairs of scope index and attempt.
    package var tasks: [[Int]]

    package init(run: String, stage: String, kind: String, share: Int, attempt: Int, first: Int, node: String,
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
package enum AssignmentChange: Sendable {
    case added(AssignmentRecord)
    case removed(run: String, stage: String, kind: String, share: Int, attempt: Int, first: Int)
}
