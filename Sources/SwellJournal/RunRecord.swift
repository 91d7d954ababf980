import GRDB
package import SwellCore

/// A run as the journal keeps it (table `run`): enough to take it up again after a restart.
package struct RunRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    package static let databaseTableName = "run"

    package var id: String
    package var name: String
    package var file: String
    package var planText: String
    package var overrides: [VarOverride]
    /// The static scopes per stage, as the client listed them.
    package var scopes: [String: [String]]
    package var status: RunStatus
    package var createdAt: Double
    package var endedAt: Double?
    package var error: String?
    package var origin: RunOrigin
    /// The process that ran an embedded run.
    package var pid: Int32?

    package init(id: String, name: String, file: String, planText: String, overrides: [VarOverride],
                 scopes: [String: [String]], status: RunStatus, createdAt: Double, endedAt: Double? = nil,
                 error: String? = nil, origin: RunOrigin = .coordinator, pid: Int32? = nil) {
        self.id = id
        self.name = name
        self.file = file
        self.planText = planText
        self.overrides = overrides
        self.scopes = scopes
        self.status = status
        self.createdAt = createdAt
        self.endedAt = endedAt
        self.error = error
        self.origin = origin
        self.pid = pid
    }
}
