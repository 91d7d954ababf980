import GRDB
package import SwellCore

/// A run as the journal keeps it (table `run`): the run as it was accepted, where it stands,
/// and who ran it.
package struct RunRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    package static let databaseTableName = "run"

    package var run: RunAcceptance
    package var status: RunStatus
    package var endedAt: Double?
    package var error: String?
    package var origin: RunOrigin
    /// The process that ran an embedded run.
    package var pid: Int32?
    /// When that process started (clock ticks after boot), so that a process given the same id
    /// since is not taken for it; nil in journals from before it was kept.
    package var pidStart: UInt64?

    package init(_ run: RunAcceptance, status: RunStatus, endedAt: Double? = nil, error: String? = nil,
                 origin: RunOrigin = .coordinator, pid: Int32? = nil, pidStart: UInt64? = nil) {
        self.run = run
        self.status = status
        self.endedAt = endedAt
        self.error = error
        self.origin = origin
        self.pid = pid
        self.pidStart = pidStart
    }

    package var id: String { run.id }

    // Stored flat: the accepted run's fields, then these.
    enum CodingKeys: String, CodingKey { case status, endedAt, error, origin, pid, pidStart }

    package init(from decoder: any Decoder) throws {
        run = try RunAcceptance(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decode(RunStatus.self, forKey: .status)
        endedAt = try container.decodeIfPresent(Double.self, forKey: .endedAt)
        error = try container.decodeIfPresent(String.self, forKey: .error)
        origin = try container.decode(RunOrigin.self, forKey: .origin)
        pid = try container.decodeIfPresent(Int32.self, forKey: .pid)
        pidStart = try container.decodeIfPresent(Int64.self, forKey: .pidStart).map { UInt64(bitPattern: $0) }
    }

    package func encode(to encoder: any Encoder) throws {
        try run.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(endedAt, forKey: .endedAt)
        try container.encode(error, forKey: .error)
        try container.encode(origin, forKey: .origin)
        try container.encode(pid, forKey: .pid)
        try container.encode(pidStart.map { Int64(bitPattern: $0) }, forKey: .pidStart)
    }
}
