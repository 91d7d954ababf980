package import SwellCore

/// The outcome of one stage, as `--json` prints it.
package struct StageResult: Sendable, Codable, Hashable {
    package var id: String
    package var status: StageStatus
    package var counts: StageCounts
    package var startedAt: Double?
    package var endedAt: Double?
    package var error: String?

    package init(id: String, status: StageStatus, counts: StageCounts, startedAt: Double?, endedAt: Double?, error: String?) {
        self.id = id
        self.status = status
        self.counts = counts
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.error = error
    }
}
