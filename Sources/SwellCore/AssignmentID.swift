

/// Names one assignment wherever it appears: in ASSIGN, in a node's HELLO and CANCEL, in the
/// coordinator's books and in the journal.
///
/// `first` is the first scope index of a share, the task's index for a retry, and -1 for a
/// reduction; `share` is the share's position in the stage (for a retry, the share its task
/// belongs to; -1 for a reduction). `attempt` is 1 for a first assignment and higher each time the
/// same work is handed out again.
package struct AssignmentID: Hashable, Sendable, Codable {
    package var run: String
    package var stage: String
    package var kind: AssignmentKind
    package var share: Int
    package var first: Int
    package var attempt: Int

    package init(run: String, stage: String, kind: AssignmentKind, share: Int, first: Int, attempt: Int) {
        self.run = run
        self.stage = stage
        self.kind = kind
        self.share = share
        self.first = first
        self.attempt = attempt
    }

    /// A share of a fan-out stage.
    package static func share(run: String, stage: String, share: Int, first: Int, attempt: Int) -> AssignmentID {
        AssignmentID(run: run, stage: stage, kind: .share, share: share, first: first, attempt: attempt)
    }

    /// A retry of the task at `index`, which belongs to `share`.
    package static func retry(run: String, stage: String, share: Int, index: Int, attempt: Int) -> AssignmentID {
        AssignmentID(run: run, stage: stage, kind: .retry, share: share, first: index, attempt: attempt)
    }

    /// The stage's reduction.
    package static func reduce(run: String, stage: String, attempt: Int) -> AssignmentID {
        AssignmentID(run: run, stage: stage, kind: .reduce, share: -1, first: -1, attempt: attempt)
    }
}

extension AssignmentID: Comparable {
    /// Run, stage, share, kind, first, attempt: the order in which lost work goes back to the pool.
    package static func < (a: AssignmentID, b: AssignmentID) -> Bool {
        (a.run, a.stage, a.share, a.kind.rawValue, a.first, a.attempt) < (b.run, b.stage, b.share, b.kind.rawValue, b.first, b.attempt)
    }
}
