import Foundation
import GRDB
package import SwellCore

/// A report as the journal keeps it (table `report`): the report's own fields as columns, and
/// whether it ended its task (a failed attempt that was retried is not final).
///
/// A large stdout is not in the row: `stdoutAt` and `stdoutLength` say where it is in the run's
/// output file (``OutputFiles``), and the journal reads it from there.
package struct ReportRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    package static let databaseTableName = "report"

    package var report: Report
    package var final: Bool
    /// Where the stdout starts in the run's output file; nil when it is in the row.
    var stdoutAt: Int64?
    var stdoutLength: Int?

    package init(_ report: Report, final: Bool) {
        self.report = report
        self.final = final
    }

    enum CodingKeys: String, CodingKey { case final, stdoutAt, stdoutLength }

    package init(from decoder: any Decoder) throws {
        report = try Report(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        final = try container.decode(Bool.self, forKey: .final)
        stdoutAt = try container.decodeIfPresent(Int64.self, forKey: .stdoutAt)
        stdoutLength = try container.decodeIfPresent(Int.self, forKey: .stdoutLength)
    }

    package func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(final, forKey: .final)
        try container.encodeIfPresent(stdoutAt, forKey: .stdoutAt)
        try container.encodeIfPresent(stdoutLength, forKey: .stdoutLength)
    }
}
