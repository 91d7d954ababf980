package import SwellCore

/// A page of reports (coordinator -> client). Outputs are in the payload, two parts per
/// report (stdout, stderr tail).
package struct LogsReply: Sendable, Codable {
    package var id: UInt64
    package var replyTo: UInt64
    package var run: String
    package var reports: [Report]
    /// Offset of the next page, nil on the last page.
    package var next: Int?
    /// The run, its stages and shares: on the first page of a brief request.
    package var digest: RunDigest?

    package init(id: UInt64, replyTo: UInt64, run: String, reports: [Report], next: Int?, digest: RunDigest? = nil) {
        self.digest = digest
        self.id = id
        self.replyTo = replyTo
        self.run = run
        self.reports = reports
        self.next = next
    }
}
