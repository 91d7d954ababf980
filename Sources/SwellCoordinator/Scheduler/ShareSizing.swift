/// How many scopes the next share of a stage gets, when how long its tasks take is not known
/// (else see ``DurationEstimates``).
///
/// Guided self-scheduling: large shares first, shrinking as the stage drains, never below
/// one task wave unless fewer scopes remain, and never so large that an idle node is left
/// without a share while scopes remain (when a stage has at least as many scopes as idle
/// nodes, each of them gets some). A share of at least one wave is a whole number of waves, so
/// that `barrier` waves stay consecutive groups of `width` scopes of the stage; and no share is
/// larger than ``largest`` scopes, so that no message, journal row or node event grows with
/// the stage.
enum ShareSizing {
    /// The most scopes in one share (rounded down to whole waves).
    static let largest = 1_000

    /// - Parameters:
    ///   - remaining: scopes not yet in a share.
    ///   - width: the stage's task-wave width.
    ///   - units: sub-orchestrators all eligible live nodes can run at once at full width.
    ///   - idleUnits: eligible nodes that could take a share right now (this one included).
    static func size(remaining: Int, width: Int, units: Int, idleUnits: Int) -> Int {
        guard remaining > 0 else { return 0 }
        let width = max(1, width)
        let units = max(1, units)
        let guided = max(ceilDiv(remaining, 2 * units), min(width, ceilDiv(remaining, units)))
        let fair = max(1, remaining / max(1, idleUnits))
        let size = max(1, min(guided, fair, remaining))
        return wholeWaves(size, remaining: remaining, width: width)
    }

    /// All that `remaining` scopes can be in one share: at most ``largest`` (in whole waves).
    static func wholeShare(remaining: Int, width: Int) -> Int {
        wholeWaves(remaining, remaining: remaining, width: max(1, width))
    }

    /// `size` (at least one wave) as whole waves of `width`, at most ``largest`` scopes, and no
    /// more than `remaining`; less than a wave stays as it is.
    private static func wholeWaves(_ size: Int, remaining: Int, width: Int) -> Int {
        guard size >= width else { return size }
        let waves = min(ceilDiv(size, width), max(1, largest / width))
        return min(waves * width, remaining)
    }

    static func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
}
