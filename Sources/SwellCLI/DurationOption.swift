import ArgumentParser
import SwellPlan

/// A duration option: `500ms`, `30s`, `1.5m`, `1h`.
struct DurationOption: ExpressibleByArgument, Sendable {
    var duration: Duration

    init(_ duration: Duration) { self.duration = duration }

    init?(argument: String) {
        guard let duration = Durations.parse(argument), duration > .zero else { return nil }
        self.duration = duration
    }

    var defaultValueDescription: String { Durations.format(duration) }

    /// Ends the help of each duration option, which a value without its unit gets back.
    static let unitHelp = "(a number and its unit: 500ms, 5s, 2m)."
}
