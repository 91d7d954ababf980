/// How much of a sink stage's output can be read from the journal: what the output streams
/// send to clients while the run runs.
package struct SinkProgress: Sendable, Equatable {
    /// Where the output is; nil while none of it can be read yet.
    package var source: OutputSource?
    /// The stage has ended: no more of its output will come.
    package var complete: Bool

    /// A sink that has ended without an output.
    static let nothing = SinkProgress(source: OutputSource.none, complete: true)
}
