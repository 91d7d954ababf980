
/// An assignment a node was given and has not finished: the node, the slots it takes, and its
/// tasks with their attempts.
package struct HeldAssignment: Sendable, Hashable, Codable {
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

    // Stored flat: the assignment's fields, then the node, slots and tasks.
    enum CodingKeys: String, CodingKey { case node, slots, tasks }

    package init(from decoder: any Decoder) throws {
        id = try AssignmentID(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        node = try container.decode(String.self, forKey: .node)
        slots = try container.decode(Int.self, forKey: .slots)
        tasks = try container.decode([TaskAttempt].self, forKey: .tasks)
    }

    package func encode(to encoder: any Encoder) throws {
        try id.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(node, forKey: .node)
        try container.encode(slots, forKey: .slots)
        try container.encode(tasks, forKey: .tasks)
    }
}
