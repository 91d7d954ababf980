package import SwellCore

/// A share of a fan-out stage: the scopes `first..<first + count`, where it runs, and its
/// summary once in.
package struct ShareState: Sendable {
    package let index: Int
    package let first: Int
    package let count: Int
    package var node: String
    package var attempt: Int
    package var status: ShareStatus = .running
    /// The summary, when the stage summarizes and the share is done.
    package var summary: ShareSummary?

    package init(index: Int, first: Int, count: Int, node: String, attempt: Int, status: ShareStatus = .running,
                 summary: ShareSummary? = nil) {
        self.index = index
        self.first = first
        self.count = count
        self.node = node
        self.attempt = attempt
        self.status = status
        self.summary = summary
    }

    /// The scope indices of the share.
    package var range: Range<Int> { first..<(first + count) }
}
