package import SwellCore

/// One task of a share: its scope index, scope, attempt number (1 for the first run, higher
/// for each retry or reassignment) and how many retries remain if this attempt fails.
package struct TaskRef: Sendable, Codable, Hashable {
    package var index: Int
    package var scope: String
    package var attempt: Int
    package var retriesLeft: Int
    /// Rate-limited attempts left that are waits, not failures (absent: none).
    package var waitsLeft: Int?

    package init(index: Int, scope: String, attempt: Int, retriesLeft: Int, waitsLeft: Int? = nil) {
        self.index = index
        self.scope = scope
        self.attempt = attempt
        self.retriesLeft = retriesLeft
        self.waitsLeft = waitsLeft
    }

    /// Whether a report of this attempt ends the task for good: it succeeded, no retry is
    /// left, or it was cancelled.
    package func isFinal(_ report: Report) -> Bool {
        switch report.error {
        case .interrupted?: return false
        case .rateLimited? where (waitsLeft ?? 0) > 0: return false
        default: return report.succeeded || retriesLeft == 0 || report.wasCancelled
        }
    }
}
