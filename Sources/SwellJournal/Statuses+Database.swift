import GRDB
import SwellCore

// The journal stores statuses and kinds as their raw words.
extension RunStatus: DatabaseValueConvertible {}
extension StageStatus: DatabaseValueConvertible {}
extension ShareStatus: DatabaseValueConvertible {}
extension AssignmentKind: DatabaseValueConvertible {}
extension RunOrigin: DatabaseValueConvertible {}
