import GRDB
import SwellCore

// The journal stores statuses and kinds as their raw words.
extension RunStatus: DatabaseValueConvertible {}
extension StageStatus: DatabaseValueConvertible {}
extension ShareStatus: DatabaseValueConvertible {}
extension AssignmentKind: DatabaseValueConvertible {}
extension RunOrigin: DatabaseValueConvertible {}

/// An assignment in flight, as the journal keeps it (table `assignment`): a restarted
/// coordinator waits for its node to come back and adopts it rather than running the work again.
extension HeldAssignment: FetchableRecord, PersistableRecord {
    package static let databaseTableName = "assignment"
}
