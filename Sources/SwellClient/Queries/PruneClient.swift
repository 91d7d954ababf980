import Foundation
import SwellJournal

/// `swell prune`: removes the runs of a journal that ended long enough ago.
package enum PruneClient {
    package static func run(stateDirectory: String, olderThan: Duration, dryRun: Bool) async -> SwellExit {
        await SwellExit.reporting {
            let path = stateDirectory + "/journal.sqlite"
            guard FileManager.default.fileExists(atPath: path) else {
                throw ClientError(.usage, "no journal at \(path)")
            }
            let seconds = Double(olderThan.components.seconds) + Double(olderThan.components.attoseconds) / 1e18
            let cutoff = Date().timeIntervalSince1970 - seconds
            let removed = try await Journal(directory: stateDirectory).prune(endedBefore: cutoff, dryRun: dryRun)
            let when = Date(timeIntervalSince1970: cutoff.rounded()).ISO8601Format()
            let verb = dryRun ? "would remove" : "removed"
            for run in removed {
                let ended = run.endedAt.map { Date(timeIntervalSince1970: $0.rounded()).ISO8601Format() } ?? "?"
                StandardStreams.out(Data("\(run.id)\t\(run.run.name)\t\(run.status.rawValue)\tended \(ended)\n".utf8))
            }
            StandardStreams.err("swell: \(verb) \(removed.count) run\(removed.count == 1 ? "" : "s") that ended before \(when) from \(path)\n")
            return .success
        }
    }
}
