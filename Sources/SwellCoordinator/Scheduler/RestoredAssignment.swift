/// An assignment of a resumed run, held for the node that had it before the restart.
struct RestoredAssignment: Sendable {
    var node: String
    var slots: Int
    /// Its tasks without a final report.
    var outstanding: Int
    var until: ContinuousClock.Instant
}
