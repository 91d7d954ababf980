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

/// A task of an assignment: its scope index and the attempt it runs.
package struct TaskAttempt: Sendable, Hashable {
    package var index: Int
    package var attempt: Int

    package init(index: Int, attempt: Int) {
        self.index = index
        self.attempt = attempt
    }
}
