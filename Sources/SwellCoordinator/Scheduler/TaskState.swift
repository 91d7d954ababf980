/// Where one task stands.
struct TaskState: Sendable {
    enum Status: Sendable, Equatable {
        /// Not in any share yet.
        case waiting
        /// Its current attempt runs (or will run) on `node`.
        case assigned
        /// It failed and a retry waits for a free node.
        case retryPending
        case succeeded
        case failed
    }

    var status = Status.waiting
    /// The last attempt handed out (0 before the first).
    var attempt = 0
    /// Failed attempts so far.
    var failures = 0
    /// The share it belongs to.
    var share: Int?
    /// Where the current attempt runs.
    var node: String?
    /// The node of the last failed attempt, to retry elsewhere.
    var failedOn: String?
    /// Rate-limited attempts so far (waits, not failures).
    var waits = 0

    var isFinal: Bool { status == .succeeded || status == .failed }
}
