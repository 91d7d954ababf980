import Foundation
package import SwellCore

/// Where a sink stage's output is in the journal: the shell reads it from there, in pieces, to
/// stream it to clients. The coordinator never holds a sink's output whole.
package enum OutputSource: Sendable, Equatable {
    /// The stage ended without an output (skipped, or its one task or its reduction failed).
    case none
    /// The stdout of one final report: a single task's (index 0) or a reduction's (index -1).
    case report(stage: String, index: Int)
    /// The final reports of a fan-out's tasks before scope index `upTo`, in scope order,
    /// rendered in `format`.
    case reports(stage: String, format: InputFormat, upTo: Int)
}

extension OutputSource {
    /// The output made in memory, and whether a report in it was cut at its node's output
    /// cap: `report(index)` gives a final report of the stage (index -1 its reduction's),
    /// `reports()` its tasks' final reports in scope order.
    func render(report: (Int) -> Report?, reports: () -> [Report]) -> (output: Data, cut: Bool) {
        switch self {
        case .none:
            return (Data(), false)
        case .report(_, let index):
            let found = report(index)
            return (found?.stdout ?? Data(), found?.stdoutTruncated ?? false)
        case .reports(_, let format, _):
            let all = reports()
            return (format.render(reports: all), all.contains(where: \.stdoutTruncated))
        }
    }
}
