package import Foundation

/// A stage of a run as the journal keeps it: status and times, its scopes once known, and
/// whether it ended with an output (made from its reports when needed; journals of earlier
/// versions kept the output itself).
package struct StageEntry: Sendable, Hashable, Codable {
    package var stage: String
    package var status: StageStatus
    package var scopes: [String]?
    package var output: Data?
    /// The stage ended with an output (nil in journals of earlier versions: `output` says).
    package var outputReady: Bool?
    package var startedAt: Double?
    package var endedAt: Double?
    package var error: String?

    package init(stage: String, status: StageStatus, scopes: [String]? = nil, output: Data? = nil,
                 outputReady: Bool? = nil, startedAt: Double? = nil, endedAt: Double? = nil, error: String? = nil) {
        self.stage = stage
        self.status = status
        self.scopes = scopes
        self.output = output
        self.outputReady = outputReady
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.error = error
    }
}
