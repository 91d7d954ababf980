package import Foundation
import GRDB
package import SwellCore

/// A stage of a run as the journal keeps it (table `stage`). `scopes` and `output` are written
/// once known; a later write without them keeps what is there.
package struct StageRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    package static let databaseTableName = "stage"

    package var run: String
    package var stage: String
    package var status: StageStatus
    package var scopes: [String]?
    package var output: Data?
    package var startedAt: Double?
    package var endedAt: Double?
    package var error: String?

    package init(run: String, stage: String, status: StageStatus, scopes: [String]? = nil, output: Data? = nil,
                 startedAt: Double? = nil, endedAt: Double? = nil, error: String? = nil) {
        self.run = run
        self.stage = stage
        self.status = status
        self.scopes = scopes
        self.output = output
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.error = error
    }
}
