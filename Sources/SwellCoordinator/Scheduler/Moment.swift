/// A point in time as the scheduler sees it: a monotonic reading for timeouts and the wall
/// clock for records.
package struct Moment: Sendable {
    package var monotonic: ContinuousClock.Instant
    /// Seconds since 1970.
    package var wall: Double

    package init(monotonic: ContinuousClock.Instant, wall: Double) {
        self.monotonic = monotonic
        self.wall = wall
    }
}
