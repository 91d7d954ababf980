/// A task of an assignment: its scope index and the attempt it runs.
package struct TaskAttempt: Sendable, Hashable, Codable {
    package var index: Int
    package var attempt: Int

    package init(index: Int, attempt: Int) {
        self.index = index
        self.attempt = attempt
    }

    /// A pair `[index, attempt]`.
    package init(from decoder: any Decoder) throws {
        var pair = try decoder.unkeyedContainer()
        index = try pair.decode(Int.self)
        attempt = try pair.decode(Int.self)
    }

    package func encode(to encoder: any Encoder) throws {
        var pair = encoder.unkeyedContainer()
        try pair.encode(index)
        try pair.encode(attempt)
    }
}
