import SwellCore

/// A share of a fan-out stage: the scopes `first..<first + count`, where it runs, and its
/// summary once in.
struct ShareState: Sendable {
    let index: Int
    let first: Int
    let count: Int
    var node: String
    var attempt: Int
    var status: ShareStatus = .running
    /// The summary, when the stage summarizes and the share is done.
    var summary: ShareSummary?

    init(index: Int, first: Int, count: Int, node: String, attempt: Int, status: ShareStatus = .running,
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
    var range: Range<Int> { first..<(first + count) }
}
