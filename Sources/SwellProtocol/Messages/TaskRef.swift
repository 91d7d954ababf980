package import SwellCore

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
