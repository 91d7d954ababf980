package import Foundation
import GRDB
package import SwellCore

/// A share of a fan-out stage as the journal keeps it (table `share`), with its summary once in.
package struct ShareRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    package static let databaseTableName = "share"

    package var run: String
    package var stage: String
    package var share: Int
    package var first: Int
    package var count: Int
    package var node: String
    package var attempt: Int
    package var status: ShareStatus
    package var summary: Data?
    package var summaryExit: Int32?
    package var summaryError: String?

    package init(run: String, stage: String, share: Int, first: Int, count: Int, node: String, attempt: Int,
                 status: ShareStatus, summary: Data?, summaryExit: Int32?, summaryError: String?) {
        self.run = run
        self.stage = stage
        self.share = share
        self.first = first
        self.count = count
        self.node = node
        self.attempt = attempt
        self.status = status
        self.summary = summary
        self.summaryExit = summaryExit
        self.summaryError = summaryError
    }
}
