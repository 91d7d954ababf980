package import Foundation

/// A piece of a finished run's sink output (coordinator -> client), sent before its RESULT.
///
/// Sink outputs go in order, each from the byte the client asked for (0 unless it attached
/// again with `outputFrom`), in pieces of at most 1 MiB; the client acknowledges each piece, and
/// the coordinator keeps only a few unacknowledged, so that neither side ever holds a whole
/// output in memory.
package struct OutputChunk: Sendable, Codable {
    package var id: UInt64
    package var run: String
    /// The sink's position in RESULT's `sinks`.
    package var sink: Int
    /// Where `data` starts in the sink's output.
    package var offset: Int
    package var data: Data
    /// The sink's output ends here (the last piece of each sink is empty and says so).
    package var last: Bool

    package init(id: UInt64, run: String, sink: Int, offset: Int, data: Data, last: Bool = false) {
        self.id = id
        self.run = run
        self.sink = sink
        self.offset = offset
        self.data = data
        self.last = last
    }
}
