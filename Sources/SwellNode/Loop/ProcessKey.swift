package import SwellCore

/// One process of an assignment: a task (by its index; a reduction's is -1) or the share's
/// summarize (``slot`` ``ProcessKey/summarizeSlot``).
package struct ProcessKey: Hashable, Sendable {
    package var assignment: AssignmentID
    package var slot: Int

    /// The slot of a share's `summarize` process: task indices are 0 or more, a reduction's is -1.
    package static let summarizeSlot = -2
}
