package import SwellCore

/// An assignment a node was given and has not finished: the node, the slots it takes, and its
/// tasks with their attempts.
package struct HeldAssignment: Sendable {
    package var id: AssignmentID
    package var node: String
    package var slots: Int
    package var tasks: [TaskAttempt]

    package init(id: AssignmentID, node: String, slots: Int, tasks: [TaskAttempt]) {
        self.id = id
        self.node = node
        self.slots = slots
        self.tasks = tasks
    }
}
