package import GRDB
package import SwellCore

// The journal stores statuses and kinds as their raw words.
extension RunStatus: DatabaseValueConvertible {}
extension StageStatus: DatabaseValueConvertible {}
extension ShareStatus: DatabaseValueConvertible {}
extension AssignmentKind: DatabaseValueConvertible {}
extension RunOrigin: DatabaseValueConvertible {}

/// An attempt's error as its text.
extension TaskError: DatabaseValueConvertible {
    package var databaseValue: DatabaseValue { description.databaseValue }

    package static func fromDatabaseValue(_ value: DatabaseValue) -> TaskError? {
        String.fromDatabaseValue(value).map(TaskError.init)
    }
}

/// An assignment in flight, as the journal keeps it (table `assignment`): a restarted
/// coordinator waits for its node to come back and adopts it rather than running the work again.
extension HeldAssignment: FetchableRecord, PersistableRecord {
    package static let databaseTableName = "assignment"
}

/// A lease held by a running task (table `lease`).
extension HeldLease: FetchableRecord, PersistableRecord {
    package static let databaseTableName = "lease"
}
