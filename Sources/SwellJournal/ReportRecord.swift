import GRDB
package import SwellCore

/// A report as the journal keeps it (table `report`): the report's own fields as columns, and
/// whether it ended its task (a failed attempt that was retried is not final).
package struct ReportRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    package static let databaseTableName = "report"

    package var report: Report
    package var final: Bool

    package init(_ report: Report, final: Bool) {
        self.report = report
        self.final = final
    }

    enum CodingKeys: String, CodingKey { case final }

    package init(from decoder: any Decoder) throws {
        report = try Report(from: decoder)
        final = try decoder.container(keyedBy: CodingKeys.self).decode(Bool.self, forKey: .final)
    }

    package func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(final, forKey: .final)
    }
}
