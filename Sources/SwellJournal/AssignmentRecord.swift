import GRDB
package import SwellCore

/// An assignment in flight as the journal keeps it (table `assignment`): what a node was given
/// and has not finished. A restarted coordinator waits for that node to come back and adopts it
/// rather than running the work again.
package struct AssignmentRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    package static let databaseTableName = "assignment"

    package var assignment: AssignmentID
    package var node: String
    package var slots: Int
    /// The tasks it runs: pairs of scope index and attempt.
    package var tasks: [[Int]]

    package init(_ assignment: AssignmentID, node: String, slots: Int, tasks: [[Int]]) {
        self.assignment = assignment
        self.node = node
        self.slots = slots
        self.tasks = tasks
    }

    enum CodingKeys: String, CodingKey { case node, slots, tasks }

    package init(from decoder: any Decoder) throws {
        assignment = try AssignmentID(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        node = try container.decode(String.self, forKey: .node)
        slots = try container.decode(Int.self, forKey: .slots)
        tasks = try container.decode([[Int]].self, forKey: .tasks)
    }

    package func encode(to encoder: any Encoder) throws {
        try assignment.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(node, forKey: .node)
        try container.encode(slots, forKey: .slots)
        try container.encode(tasks, forKey: .tasks)
    }
}
