package import Foundation

/// How a stage's reports are fed to its `summarize`, its share summaries to `synthesize`
/// (or to the tree reduction), and its reports to dependents when there is no reduction.
package enum InputFormat: String, Sendable, Codable, CaseIterable {
    /// The bytes as they are, one after another.
    case concat
    /// A `## scope` heading per report (`## share N: first … last` per summary), then its text.
    case markdown
    /// One JSON object per line.
    case jsonl

    /// Reports, in the order given (callers pass scope order).
    package func render(reports: [Report]) -> Data {
        var out = Data()
        for report in reports {
            switch self {
            case .concat:
                out.append(report.stdout)
            case .markdown:
                var heading = "## \(Scope.label(report.scope))"
                if !report.succeeded { heading += " (failed: \(report.outcome))" }
                out.append(contentsOf: Array((heading + "\n\n").utf8))
                out.append(report.stdout)
                if let last = report.stdout.last, last != UInt8(ascii: "\n") { out.append(UInt8(ascii: "\n")) }
                out.append(UInt8(ascii: "\n"))
            case .jsonl:
                let line = JSONLReport(
                    stage: report.stage, index: report.index, scope: report.scope,
                    exitCode: report.exitCode, signal: report.signal, timedOut: report.timedOut,
                    error: report.error?.description, stdout: String(decoding: report.stdout, as: UTF8.self))
                out.append(Self.jsonLine(line))
            }
        }
        return out
    }

    /// Share summaries, in share order.
    package func render(summaries: [ShareSummary]) -> Data {
        var out = Data()
        for summary in summaries {
            switch self {
            case .concat:
                out.append(summary.output)
            case .markdown:
                let span = summary.count > 1
                    ? "\(Scope.label(summary.firstScope)) … \(Scope.label(summary.lastScope))"
                    : Scope.label(summary.firstScope)
                out.append(contentsOf: Array("## share \(summary.share + 1): \(span)\n\n".utf8))
                out.append(summary.output)
                if let last = summary.output.last, last != UInt8(ascii: "\n") { out.append(UInt8(ascii: "\n")) }
                out.append(UInt8(ascii: "\n"))
            case .jsonl:
                let line = JSONLSummary(
                    stage: summary.stage, share: summary.share, first: summary.first, count: summary.count,
                    firstScope: summary.firstScope, lastScope: summary.lastScope,
                    summary: String(decoding: summary.output, as: UTF8.self))
                out.append(Self.jsonLine(line))
            }
        }
        return out
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    private static func jsonLine(_ value: some Encodable) -> Data {
        var data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    private struct JSONLReport: Encodable {
        var stage: String
        var index: Int
        var scope: String
        var exitCode: Int32?
        var signal: Int32?
        var timedOut: Bool
        var error: String?
        var stdout: String
    }

    private struct JSONLSummary: Encodable {
        var stage: String
        var share: Int
        var first: Int
        var count: Int
        var firstScope: String
        var lastScope: String
        var summary: String
    }
}
