package import SwellCore

/// One named limit, for `swell status`: its numbers, the leases held and waited for, and a
/// pause after a rate-limited attempt.
package struct LimitStatus: Sendable, Codable, Hashable {
    package var name: String
    /// The run whose plan sets this limit; nil for the coordinator's own (`--limit`), shared by its runs.
    package var run: String?
    package var concurrent: Int?
    package var startsPerMinute: Int?
    package var held: Int
    package var queued: Int
    /// New starts wait until then (seconds since 1970) after a rate-limited attempt.
    package var pausedUntil: Double?

    package init(name: String, run: String?, rule: LimitRule, held: Int, queued: Int, pausedUntil: Double?) {
        self.name = name
        self.run = run
        self.concurrent = rule.concurrent
        self.startsPerMinute = rule.startsPerMinute
        self.held = held
        self.queued = queued
        self.pausedUntil = pausedUntil
    }
}
