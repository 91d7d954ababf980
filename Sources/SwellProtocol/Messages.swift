package import Foundation
package import SwellCore
package import SwellPlan

/// Who a peer of the coordinator is.
package enum PeerRole: String, Sendable, Codable {
    case node
    case client
}

/// First message of every peer on a new connection (node or client -> coordinator).
package struct Hello: Sendable, Codable {
    package var id: UInt64
    package var role: PeerRole
    /// The name the peer asks to be known by (a node's `--name`; for clients, informational).
    package var name: String
    /// Unique per process start; a restarted or re-joining node has a new incarnation.
    package var incarnation: String
    package var slots: Int
    package var labels: [String]
    /// True for the node inside `swell run`'s embedded default: it runs every stage, whatever its labels.
    package var acceptsAnyLabels: Bool
    package var software: String
    /// The assignments a node still holds when it joins again: those it runs, and those whose
    /// reports or summary it has not had acknowledged. The coordinator adopts those it still
    /// counts on and cancels the others.
    package var holding: [AssignmentID]

    package init(id: UInt64, role: PeerRole, name: String, incarnation: String, slots: Int = 0,
                labels: [String] = [], acceptsAnyLabels: Bool = false, software: String = SwellVersion.current,
                holding: [AssignmentID] = []) {
        self.id = id
        self.role = role
        self.name = name
        self.incarnation = incarnation
        self.slots = slots
        self.labels = labels
        self.acceptsAnyLabels = acceptsAnyLabels
        self.software = software
        self.holding = holding
    }
}

/// The coordinator admits a peer (reply to HELLO).
package struct Welcome: Sendable, Codable {
    package var id: UInt64
    package var replyTo: UInt64
    /// The name the coordinator knows the peer by.
    package var name: String
    /// The coordinator's own incarnation; a change tells peers it restarted.
    package var coordinator: String
    package var heartbeatMilliseconds: Int

    package init(id: UInt64, replyTo: UInt64, name: String, coordinator: String, heartbeatMilliseconds: Int) {
        self.id = id
        self.replyTo = replyTo
        self.name = name
        self.coordinator = coordinator
        self.heartbeatMilliseconds = heartbeatMilliseconds
    }
}

/// Liveness, both ways.
package struct Heartbeat: Sendable, Codable {
    package var id: UInt64
    /// The sender's incarnation.
    package var incarnation: String
    /// Tasks running on the sending node (0 from the coordinator).
    package var running: Int

    package init(id: UInt64, incarnation: String, running: Int) {
        self.id = id
        self.incarnation = incarnation
        self.running = running
    }
}

/// What a node needs to run the tasks of one stage.
package struct TaskSpec: Sendable, Codable, Hashable {
    package var run: Command
    /// Run over the share's reports once they are all final (nil: no share summary).
    package var summarize: Command?
    package var env: [String: String]
    package var timeoutMilliseconds: Int?
    /// The task timeout, if any.
    package var timeout: Duration? { timeoutMilliseconds.map { .milliseconds($0) } }
    package var width: Int
    package var pacing: Pacing
    package var input: InputFormat
    package var vars: [String: String]
    /// Bytes of stdout kept per task; the rest is cut with a visible marker.
    package var outputCap: Int

    package init(run: Command, summarize: Command?, env: [String: String], timeoutMilliseconds: Int?,
                width: Int, pacing: Pacing, input: InputFormat, vars: [String: String], outputCap: Int) {
        self.run = run
        self.summarize = summarize
        self.env = env
        self.timeoutMilliseconds = timeoutMilliseconds
        self.width = width
        self.pacing = pacing
        self.input = input
        self.vars = vars
        self.outputCap = outputCap
    }

}

/// One task of a share: its scope index, scope, attempt number (1 for the first run, higher
/// for each retry or reassignment) and how many retries remain if this attempt fails.
package struct TaskRef: Sendable, Codable, Hashable {
    package var index: Int
    package var scope: String
    package var attempt: Int
    package var retriesLeft: Int

    package init(index: Int, scope: String, attempt: Int, retriesLeft: Int) {
        self.index = index
        self.scope = scope
        self.attempt = attempt
        self.retriesLeft = retriesLeft
    }

    /// Whether a report of this attempt ends the task for good: it succeeded, no retry is
    /// left, or it was cancelled.
    package func isFinal(_ report: Report) -> Bool {
        report.succeeded || retriesLeft == 0 || report.wasCancelled
    }
}

/// A share handed to a node's sub-orchestrator (coordinator -> node).
///
/// `kind == .share`: run `tasks` in task waves, send a report per task, then the share summary.
/// `kind == .retry`: run the one task again (a failed attempt from another share); its report
/// goes up, and no summary follows.
/// `kind == .reduce`: run the one task (index -1) with `stdin`; it is the stage's synthesis or
/// tree reduction, and its report is the stage output.
package struct Assign: Sendable, Codable {
    package var id: UInt64
    package var run: String
    package var stage: String
    package var kind: AssignmentKind
    /// The share's position in the stage's share order (for `retry`, the share the task belongs to).
    package var share: Int
    /// 1 for a first assignment; higher when the share is handed out again after its node was
    /// lost, or for a retry, the task's attempt.
    package var attempt: Int
    /// First scope index and scope count of the whole share (`tasks` may be fewer when some
    /// are already `done`).
    package var first: Int
    package var count: Int
    package var firstScope: String
    package var lastScope: String
    package var tasks: [TaskRef]
    /// Standard input of every task: the outputs of the stage's `needs`, in order.
    package var stdin: Data
    /// Final reports of tasks of this share that already finished; their stdout is in the payload.
    package var done: [Report]
    /// Indices of tasks of this share that run elsewhere; their reports arrive as RELAY.
    package var elsewhere: [Int]
    package var spec: TaskSpec

    package init(id: UInt64, run: String, stage: String, kind: AssignmentKind, share: Int, attempt: Int, first: Int, count: Int,
                firstScope: String, lastScope: String, tasks: [TaskRef], done: [Report], elsewhere: [Int],
                spec: TaskSpec, stdin: Data) {
        self.id = id
        self.run = run
        self.stage = stage
        self.kind = kind
        self.share = share
        self.attempt = attempt
        self.first = first
        self.count = count
        self.firstScope = firstScope
        self.lastScope = lastScope
        self.tasks = tasks
        self.done = done
        self.elsewhere = elsewhere
        self.spec = spec
        self.stdin = stdin
    }

    /// The assignment this message hands out.
    package var assignment: AssignmentID {
        AssignmentID(run: run, stage: stage, kind: kind, share: share, first: first, attempt: attempt)
    }
}

/// One finished task: REPORT (node -> coordinator), kept in the node's outbox until acknowledged;
/// and RELAY (coordinator -> node), a final report of a task that ran on another node, for the
/// sub-orchestrator whose share it belongs to.
package struct ReportMessage: Sendable, Codable {
    package var id: UInt64
    package var report: Report

    package init(id: UInt64, report: Report) {
        self.id = id
        self.report = report
    }
}

/// A share has finished (node -> coordinator): every task is final; `summary` is present when
/// the stage has `summarize`. Kept in the node's outbox until acknowledged.
package struct SummaryMessage: Sendable, Codable {
    package var id: UInt64
    /// The attempt of the share assignment this summary ends.
    package var attempt: Int
    package var summary: ShareSummary
    package var summarized: Bool

    package init(id: UInt64, attempt: Int, summary: ShareSummary, summarized: Bool) {
        self.id = id
        self.attempt = attempt
        self.summary = summary
        self.summarized = summarized
    }
}

/// Message ids the receiver has taken in (and, on the coordinator, journaled).
package struct Ack: Sendable, Codable {
    package var id: UInt64
    package var acks: [UInt64]

    package init(id: UInt64, acks: [UInt64]) {
        self.id = id
        self.acks = acks
    }
}

/// Stop tasks (coordinator -> node): a whole run, or one assignment of it (stage, kind, share
/// and attempt all given). From a client to the coordinator: cancel the run.
///
/// A node acknowledges it once the processes it stopped have exited.
package struct Cancel: Sendable, Codable {
    package var id: UInt64
    package var run: String
    /// One assignment only, when set (nil: the whole run).
    package var assignment: AssignmentID?
    package var reason: String

    package init(id: UInt64, run: String, assignment: AssignmentID? = nil, reason: String) {
        self.id = id
        self.run = run
        self.assignment = assignment
        self.reason = reason
    }

    /// Whether this cancel covers `held`.
    package func covers(_ held: AssignmentID) -> Bool {
        held.run == run && (assignment == nil || assignment == held)
    }
}

/// A node or client leaves on purpose (graceful shutdown).
package struct Leave: Sendable, Codable {
    package var id: UInt64
    package var reason: String

    package init(id: UInt64, reason: String) {
        self.id = id
        self.reason = reason
    }
}

/// The coordinator refuses or corrects a peer.
package struct Refusal: Sendable, Codable {
    package enum Code: String, Sendable, Codable {
        /// The coordinator does not know this connection (it restarted, or declared the node
        /// down): say HELLO again.
        case rejoin
        /// The message was not understood.
        case malformed
        case unsupportedVersion = "unsupported-version"
        /// The peer's key is not authorized for what it asked.
        case notAdmitted = "not-admitted"
        case unknownRun = "unknown-run"
    }

    package var id: UInt64
    package var replyTo: UInt64?
    package var code: Code
    package var message: String

    package init(id: UInt64, replyTo: UInt64?, code: Code, message: String) {
        self.id = id
        self.replyTo = replyTo
        self.code = code
        self.message = message
    }
}
