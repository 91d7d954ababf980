import Foundation
import SwellCore

/// `swell prune`: removes the runs of a journal that ended long enough ago.
package enum PruneClient {
    package static func run(stateDirectory: String, olderThan: Duration, dryRun: Bool) async -> SwellExit {
        await SwellExit.reporting {
            let journal = try StateDirectory.existingJournal(stateDirectory)
            let cutoff = Date().timeIntervalSince1970 - olderThan.inSeconds
            let removed = try await journal.prune(endedBefore: cutoff, dryRun: dryRun)
            let path = journal.path
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
