import GRDB
package import SwellCore

/// A stage of a run as the journal keeps it (table `stage`). `scopes` and `output` are written
/// once known; a later write without them keeps what is there.
package struct StageRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    package static let databaseTableName = "stage"

    package var run: String
    package var stage: StageEntry

    package init(run: String, _ stage: StageEntry) {
        self.run = run
        self.stage = stage
    }

    // Stored flat: the run, then the stage's fields.
    enum CodingKeys: String, CodingKey { case run }

    package init(from decoder: any Decoder) throws {
        run = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .run)
        stage = try StageEntry(from: decoder)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(run, forKey: .run)
        try stage.encode(to: encoder)
    }
}
