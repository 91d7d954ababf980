import GRDB
package import SwellCore

/// A run's end, written over its record.
package struct RunEnding: Sendable, Hashable {
    package var id: String
    package var status: RunStatus
    package var endedAt: Double
    package var error: String?

    package init(id: String, status: RunStatus, endedAt: Double, error: String?) {
        self.id = id
        self.status = status
        self.endedAt = endedAt
        self.error = error
    }
}
