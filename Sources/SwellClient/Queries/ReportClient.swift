import Foundation
import SwellCoordinator
import SwellCore
import SwellJournal
import SwellProtocol
package import SwellZMQ

/// `swell report RUN`: the run's HTML report (``ReportPage``), from the local journal or from a
/// coordinator, written to a file or to stdout.
package enum ReportClient {
    package struct Query: Sendable {
        package var run: String
        /// The file to write; `-` for stdout; nil for `swell-report-RUN.html` here.
        package var output: String?
        package var coordinator: String?
        package var curve: ZMQSocketConfiguration.Curve?
        package var timeout: Duration
        package var stateDirectory: String

        package init(run: String, output: String?, coordinator: String?, curve: ZMQSocketConfiguration.Curve? = nil,
                     timeout: Duration = .seconds(5), stateDirectory: String) {
            self.run = run
            self.output = output
            self.coordinator = coordinator
            self.curve = curve
            self.timeout = timeout
            self.stateDirectory = stateDirectory
        }
    }

    package static func run(_ query: Query) async -> SwellExit {
        await SwellExit.reporting {
            // Before the reports are read: a name that cannot be written to fails at once.
            let path = query.output == "-" ? nil : try ReportFile.path(query.output, run: query.run)
            let timeline = try await query.coordinator != nil ? remote(query) : local(query)
            let digest = timeline.digest
            let html = Data(ReportPage.html(timeline, logs: logsCommand(query)).utf8)
            guard let path else {
                StandardStreams.out(html)
                return .success
            }
            try ReportFile.write(html, to: path, stateDirectory: query.stateDirectory)
            StandardStreams.err("swell: wrote \(TerminalText.oneLine(path)): run \(digest.id) (\(digest.status.rawValue)), "
                + "\(timeline.finished) task\(timeline.finished == 1 ? "" : "s") finished, \(timeline.attempts.count) attempt\(timeline.attempts.count == 1 ? "" : "s")\n")
            return .success
        }
    }

    /// The `swell logs` command that reads the run from where this report did.
    static func logsCommand(_ query: Query) -> String {
        "swell logs " + ShellQuote.quote(query.run)
            + (query.coordinator.map { " --coordinator " + ShellQuote.quote($0) } ?? StateDirectory.option(query.stateDirectory))
    }

    static func local(_ query: Query) throws -> RunTimeline {
        let journal = try StateDirectory.existingJournal(query.stateDirectory,
                                                          hint: "; for a run on a cluster, add --coordinator tcp://HOST:7710")
        guard let digest = try journal.shownDigest(of: query.run) else {
            throw ClientError(.usage, "no run \(query.run) in \(journal.path); for a run on a cluster, add --coordinator tcp://HOST:7710")
        }
        var builder = RunTimeline.Builder(digest: digest)
        try journal.eachBriefReport(run: query.run) { builder.add($0) }
        return builder.finish()
    }

    static func remote(_ query: Query) async throws -> RunTimeline {
        let endpoint = query.coordinator!
        let builder = try await LogsClient.pages(endpoint: endpoint, curve: query.curve, timeout: query.timeout,
                                                 into: RunTimeline.Builder?.none, request: { id, offset in
            LogsRequest(id: id, run: query.run, stage: nil, scope: nil, offset: offset, brief: true)
        }, each: { builder, page in
            guard let digest = page.digest ?? builder?.digest else {
                throw ClientError(.failed, "the coordinator at \(endpoint) sent no run digest: it is older than this swell; "
                    + "run swell report on its host with --state")
            }
            if builder == nil { builder = RunTimeline.Builder(digest: digest) }
            for report in page.reports { builder!.add(report) }
        })
        var pages = builder!
        return pages.finish()
    }
}
