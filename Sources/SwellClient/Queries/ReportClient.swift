import Foundation
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
            let timeline = try await query.coordinator != nil ? remote(query) : local(query)
            let digest = timeline.digest
            let html = Data(ReportPage.html(timeline).utf8)
            if query.output == "-" {
                StandardStreams.out(html)
                return .success
            }
            let path = query.output ?? "swell-report-\(query.run).html"
            do {
                try html.write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw ClientError(.failed, "cannot write the report to \(path): \(Self.reason(error))")
            }
            StandardStreams.err("swell: wrote \(path): run \(digest.id) (\(digest.status.rawValue)), "
                + "\(timeline.finished) task\(timeline.finished == 1 ? "" : "s") finished, \(timeline.attempts.count) attempt\(timeline.attempts.count == 1 ? "" : "s")\n")
            return .success
        }
    }

    static func local(_ query: Query) throws -> RunTimeline {
        let journal = try StateDirectory.existingJournal(query.stateDirectory,
                                                          hint: "; for a run on a cluster, add --coordinator tcp://HOST:7710")
        guard let digest = try journal.digest(of: query.run) else {
            throw ClientError(.usage, "no run \(query.run) in \(journal.path); for a run on a cluster, add --coordinator tcp://HOST:7710")
        }
        var builder = RunTimeline.Builder(digest: digest)
        try journal.eachBriefReport(run: query.run) { builder.add($0) }
        return builder.finish()
    }

    static func remote(_ query: Query) async throws -> RunTimeline {
        let endpoint = query.coordinator!
        return try await ClientConnection.session(endpoint: endpoint, curve: query.curve, timeout: query.timeout) { connection, reader in
            var builder: RunTimeline.Builder?
            var offset: Int? = 0
            while let from = offset {
                let id = connection.nextID()
                connection.send(.logsRequest(LogsRequest(id: id, run: query.run, stage: nil, scope: nil, offset: from, brief: true)))
                let reply = await reader.expect(within: .seconds(10)) {
                    switch $0 {
                    case .logs(let l): return l.replyTo == id
                    case .refusal(let r): return r.replyTo == id
                    default: return false
                    }
                }
                switch reply {
                case .logs(let page)?:
                    guard let digest = page.digest ?? builder?.digest else {
                        throw ClientError(.failed, "the coordinator at \(endpoint) sent no run digest: it is older than this swell; "
                            + "run swell report on its host with --state")
                    }
                    if builder == nil { builder = RunTimeline.Builder(digest: digest) }
                    for report in page.reports { builder!.add(report) }
                    offset = page.next
                case .refusal(let refusal)?:
                    throw ClientError(.usage, refusal.message)
                default:
                    throw ClientError(.unreachable, "the coordinator at \(endpoint) did not answer")
                }
            }
            return builder!.finish()
        }
    }

    private static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let posix = (ns.userInfo[NSUnderlyingErrorKey] as? NSError), posix.domain == NSPOSIXErrorDomain,
           let message = strerror(Int32(posix.code)) {
            return String(cString: message)
        }
        return ns.localizedDescription
    }
}
