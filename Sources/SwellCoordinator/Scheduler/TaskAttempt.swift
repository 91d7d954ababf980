/// A task of an assignment: its scope index and the attempt it runs.
package struct TaskAttempt: Sendable, Hashable {
    package var index: Int
    package var attempt: Int

    package init(index: Int, attempt: Int) {
        self.index = index
        self.attempt = attempt
    }
}
