import Foundation
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
    enum CodingKeys: String, CodingKey { case run, scopes }

    package init(from decoder: any Decoder) throws {
        run = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .run)
        stage = try StageEntry(from: decoder)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(run, forKey: .run)
        var rest = stage
        rest.scopes = nil
        try rest.encode(to: encoder)
        // The scopes as a JSON array, as they always were (and read back the same way), but
        // written directly: a stage may have a million of them.
        if let scopes = stage.scopes { try container.encode(Self.json(scopes), forKey: .scopes) }
    }

    /// `scopes` as JSON text.
    static func json(_ scopes: [String]) -> Data {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scopes.reduce(2) { $0 + $1.utf8.count + 3 })
        bytes.append(UInt8(ascii: "["))
        for (i, scope) in scopes.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONText.appendString(scope, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
        return Data(bytes)
    }
}
