import SwellCore

/// One process of an assignment: a task (by its index; a reduction's is -1) or the share's
/// summarize (``slot`` ``ProcessKey/summarizeSlot``).
struct ProcessKey: Hashable, Sendable {
    var assignment: AssignmentID
    var slot: Int

    /// The slot of a share's `summarize` process: task indices are 0 or more, a reduction's is -1.
    static let summarizeSlot = -2
}
