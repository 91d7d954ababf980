import Foundation
import SwellCore
import SwellPlan

/// Says in the log when the coordinator is at its open-file limit. Each connected node and
/// client holds one of its open files; past the limit libzmq turns new connections away without
/// a word (and tries to accept them again and again), so the nodes and clients turned away only
/// see that nobody answers. Checked every ``interval``; said when it starts, every ``repeatEvery``
/// while it lasts, and when it is over.
struct OpenFileWatch {
    static let interval: Duration = .seconds(1)
    static let repeatEvery: Duration = .seconds(30)

    private var since: ContinuousClock.Instant?
    private var lastSaid: ContinuousClock.Instant?

    /// The line to log, if one is due, given whether the limit is reached now.
    mutating func check(atLimit: Bool, at now: ContinuousClock.Instant) -> String? {
        guard atLimit else {
            guard let since else { return nil }
            self.since = nil
            lastSaid = nil
            return "back under the open-file limit after \(Durations.format(now - since)): new nodes and clients can connect again"
        }
        if since == nil { since = now }
        if let lastSaid, now - lastSaid < Self.repeatEvery { return nil }
        lastSaid = now
        let limit = OpenFileLimit.current().map { " (\($0) files, ulimit -n)" } ?? ""
        return "this coordinator is at its open-file limit\(limit): new nodes and clients are turned away until connections "
            + "close; raise the limit (\(OpenFileLimit.howToRaise))"
    }
}
