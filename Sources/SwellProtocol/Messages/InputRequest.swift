/// Ask for a piece of an assignment's input (node -> coordinator): the stdin of a stage's tasks,
/// or of its reduction, when it was too large to travel in the ASSIGN (`Assign.stdinBytes`).
package struct InputRequest: Sendable, Codable {
    package var id: UInt64
    package var run: String
    package var stage: String
    /// The reduction's input, not the stage's stdin.
    package var reduce: Bool
    /// The first byte wanted.
    package var offset: Int

    package init(id: UInt64, run: String, stage: String, reduce: Bool, offset: Int) {
        self.id = id
        self.run = run
        self.stage = stage
        self.reduce = reduce
        self.offset = offset
    }
}
