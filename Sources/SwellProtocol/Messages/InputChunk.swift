package import Foundation

/// A piece of an assignment's input (coordinator -> node), the answer to an INPUT?: at most
/// 1 MiB from `offset`, so that no message, and no node, holds a large input whole.
package struct InputChunk: Sendable, Codable {
    package var id: UInt64
    package var replyTo: UInt64
    package var run: String
    package var stage: String
    package var reduce: Bool
    /// Where `data` starts in the input.
    package var offset: Int
    package var data: Data
    /// The input ends with this piece.
    package var last: Bool

    package init(id: UInt64, replyTo: UInt64, run: String, stage: String, reduce: Bool, offset: Int, data: Data, last: Bool) {
        self.id = id
        self.replyTo = replyTo
        self.run = run
        self.stage = stage
        self.reduce = reduce
        self.offset = offset
        self.data = data
        self.last = last
    }
}
