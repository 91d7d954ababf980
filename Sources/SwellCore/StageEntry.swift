package import Foundation

/// A stage of a run as the journal keeps it: status and times, with its scopes and output once known.
package struct StageEntry: Sendable, Hashable, Codable {
    package var stage: String
    package var status: StageStatus
    package var scopes: [String]?
    package var output: Data?
    package var startedAt: Double?
    package var endedAt: Double?
    package var error: String?

    package init(stage: String, status: StageStatus, scopes: [String]? = nil, output: Data? = nil,
                 startedAt: Double? = nil, endedAt: Double? = nil, error: String? = nil) {
        self.stage = stage
        self.status = status
        self.scopes = scopes
        self.output = output
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.error = error
    }
}
