package import Foundation

/// What a rate-limited attempt of a stage looks like (its `rate-limit`), and how long to wait
/// before the next. A rate-limited attempt is not a failure: it runs again after the wait
/// without using one of the stage's `retries`, and the stage's limits pause their new starts
/// for that long.
package struct RateLimitRule: Sendable, Hashable, Codable {
    /// Exit statuses that mean "rate limited" (never 0).
    package var exitCodes: [Int32]
    /// A regular expression that means "rate limited" when found in stderr, or in stdout of an
    /// attempt that exited with a status other than 0 (a report that succeeded may well talk
    /// about rate limits).
    package var match: String?
    /// A regular expression whose first group that matched is when to retry: a number of
    /// seconds, or a clock time (`3:20`, `3:20am`, `15:20:05`) in the node's time zone.
    package var retryAfter: String?
    /// The first wait, doubled after each rate-limited attempt of the same task up to
    /// `maxBackoffMilliseconds`, with up to 25% added at random so that waits spread out.
    package var backoffMilliseconds: Int
    package var maxBackoffMilliseconds: Int
    /// Rate-limited attempts of one task that are waits; the next one is a failure.
    package var maxWaits: Int

    package static let defaultBackoff: Duration = .seconds(10)
    package static let defaultMaxBackoff: Duration = .seconds(300)
    package static let defaultMaxWaits = 20
    /// The longest wait a `retry-after` is honoured for.
    package static let longestRetryAfter: Double = 86_400

    package init(exitCodes: [Int32] = [], match: String? = nil, retryAfter: String? = nil,
                 backoffMilliseconds: Int = Int(Self.defaultBackoff.wholeMilliseconds),
                 maxBackoffMilliseconds: Int = Int(Self.defaultMaxBackoff.wholeMilliseconds),
                 maxWaits: Int = Self.defaultMaxWaits) {
        self.exitCodes = exitCodes
        self.match = match
        self.retryAfter = retryAfter
        self.backoffMilliseconds = backoffMilliseconds
        self.maxBackoffMilliseconds = maxBackoffMilliseconds
        self.maxWaits = maxWaits
    }

    /// `.rateLimited` when an attempt that ended with `exitCode` (nil: by a signal, a timeout or
    /// an error, never rate-limited) and this output looks rate-limited; else nil.
    package func classify(exitCode: Int32?, stdout: Data, stderr: Data, endedAt: Date,
                          timeZone: TimeZone = .current) -> TaskError? {
        guard let exitCode else { return nil }
        var hit = exitCodes.contains(exitCode) && exitCode != 0
        var texts: [String]?
        func outputs() -> [String] {
            if let texts { return texts }
            var made = [String(decoding: stderr, as: UTF8.self)]
            if exitCode != 0 { made.append(String(decoding: stdout, as: UTF8.self)) }
            texts = made
            return made
        }
        if !hit, let match, let regex = TimedMatch.compile(match) {
            hit = outputs().contains { if case .found = TimedMatch.first(regex, in: $0) { true } else { false } }
        }
        guard hit else { return nil }
        var seconds: Double?
        if let retryAfter, let regex = TimedMatch.compile(retryAfter) {
            for text in outputs() {
                guard let value = TimedMatch.captured(regex, in: text) else { continue }
                seconds = Self.wait(until: value, after: endedAt, timeZone: timeZone)
                if seconds != nil { break }
            }
        }
        return .rateLimited(retryAfter: seconds)
    }

    /// Seconds from `now` that `text` names: a number of seconds, or the next time of day
    /// `H:MM`, `H:MM:SS`, optionally followed by am or pm.
    package static func wait(until text: String, after now: Date, timeZone: TimeZone) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let seconds = Double(trimmed), seconds.isFinite, seconds >= 0 { return min(seconds, longestRetryAfter) }
        var clock = trimmed
        var offset: Int?
        for (suffix, hours) in [("am", 0), ("pm", 12)] where clock.hasSuffix(suffix) {
            clock = String(clock.dropLast(2)).trimmingCharacters(in: .whitespaces)
            offset = hours
        }
        let parts = clock.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard (2...3).contains(parts.count), parts.allSatisfy({ $0 != nil }) else { return nil }
        var hour = parts[0]!
        let minute = parts[1]!, second = parts.count == 3 ? parts[2]! : 0
        if let offset {
            guard (1...12).contains(hour) else { return nil }
            hour = hour % 12 + offset
        }
        guard (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        guard let next = calendar.nextDate(after: now, matching: DateComponents(hour: hour, minute: minute, second: second),
                                           matchingPolicy: .nextTime) else { return nil }
        return min(next.timeIntervalSince(now), longestRetryAfter)
    }

    /// How long to wait after the `waits`-th rate-limited attempt of a task (1 for the first),
    /// `random` in 0..<1 spreading it; a `retryAfter` the output gave is honoured as it is.
    package func delay(afterWait waits: Int, retryAfter: Double?, random: Double) -> Duration {
        if let retryAfter { return .milliseconds(Int((retryAfter * 1_000).rounded())) + .milliseconds(Int(random * 1_000)) }
        let doubled = Double(backoffMilliseconds) * pow(2, Double(max(0, waits - 1)))
        let base = min(doubled, Double(maxBackoffMilliseconds))
        return .milliseconds(Int(base * (1 + 0.25 * random)))
    }
}

/// A named limit on what runs at once (a plan's `limits`, a coordinator's `--limit`): at most
/// `concurrent` tasks of the stages that use it at a time, and at most `startsPerMinute` of
/// them started per minute, spaced evenly (one every 60/N seconds), so that they never start
/// in a burst.
package struct LimitRule: Sendable, Hashable, Codable {
    package var concurrent: Int?
    package var startsPerMinute: Int?

    package init(concurrent: Int? = nil, startsPerMinute: Int? = nil) {
        self.concurrent = concurrent
        self.startsPerMinute = startsPerMinute
    }

    /// The least time between two starts.
    package var spacing: Duration? { startsPerMinute.map { .milliseconds(60_000 / max(1, $0)) } }

    /// `8`, `8,30/min`, `,30/min` or `30/min` (the `--limit` form after `NAME=`); nil if it is not one.
    package init?(parsing text: String) {
        var concurrent: Int?
        var starts: Int?
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = String(part)
            guard !item.isEmpty, !item.contains(" ") else { return nil }
            if item.hasSuffix("/min") {
                guard starts == nil, let n = Int(item.dropLast(4)), n >= 1, n <= 1_000_000 else { return nil }
                starts = n
            } else {
                guard concurrent == nil, let n = Int(item), n >= 1, n <= 1_000_000 else { return nil }
                concurrent = n
            }
        }
        guard concurrent != nil || starts != nil else { return nil }
        self.init(concurrent: concurrent, startsPerMinute: starts)
    }

    /// `8 at once, 30 starts/min`.
    package var description: String {
        [concurrent.map { "\($0) at once" }, startsPerMinute.map { "\($0) starts/min" }].compactMap { $0 }.joined(separator: ", ")
    }
}
