/// A lease of a stage's limits (`uses`) held by a task attempt on a node, as the journal keeps
/// it, so that a restarted coordinator counts it until the attempt ends.
package struct HeldLease: Sendable, Hashable, Codable {
    package var run: String
    package var stage: String
    package var index: Int
    package var attempt: Int
    package var node: String

    package init(run: String, stage: String, index: Int, attempt: Int, node: String) {
        self.run = run
        self.stage = stage
        self.index = index
        self.attempt = attempt
        self.node = node
    }
}
