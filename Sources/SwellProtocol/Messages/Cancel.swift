package import SwellCore

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
    /// Start nothing more of what it covers, but let the tasks that run finish and report;
    /// acknowledged once they have (a run whose budget is spent).
    package var drain: Bool?

    package init(id: UInt64, run: String, assignment: AssignmentID? = nil, reason: String, drain: Bool? = nil) {
        self.drain = drain
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
