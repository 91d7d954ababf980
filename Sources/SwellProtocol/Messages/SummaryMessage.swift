package import SwellCore

/// A share has finished (node -> coordinator): every task is final; `summary` is present when
/// the stage has `summarize`. Kept in the node's outbox until acknowledged.
package struct SummaryMessage: Sendable, Codable {
    package var id: UInt64
    /// The attempt of the share assignment this summary ends.
    package var attempt: Int
    package var summary: ShareSummary
    package var summarized: Bool

    package init(id: UInt64, attempt: Int, summary: ShareSummary, summarized: Bool) {
        self.id = id
        self.attempt = attempt
        self.summary = summary
        self.summarized = summarized
    }
}
