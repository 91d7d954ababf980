import Foundation
import SwellCore
import SwellJournal
import SwellPlan
import SwellProtocol
package import SwellZMQ

/// `swell logs RUN`: a run's reports in stage and scope order, from the local journal or
/// from a coordinator.
package enum LogsClient {
    package struct Query: Sendable {
        package var run: String
        package var stage: String?
        package var scope: String?
        package var json: Bool
        package var coordinator: String?
        package var curve: ZMQSocketConfiguration.Curve?
        /// How long to wait for the coordinator to answer at first.
        package var timeout: Duration
        package var stateDirectory: String

        package init(run: String, stage: String?, scope: String?, json: Bool, coordinator: String?,
                    curve: ZMQSocketConfiguration.Curve? = nil, timeout: Duration = .seconds(5), stateDirectory: String) {
            self.curve = curve
            self.timeout = timeout
            self.run = run
            self.stage = stage
            self.scope = scope
            self.json = json
            self.coordinator = coordinator
            self.stateDirectory = stateDirectory
        }
    }

    package static func run(_ query: Query) async -> SwellExit {
        await SwellExit.reporting {
            let reports = try await query.coordinator != nil ? remote(query) : local(query)
            if let scope = query.scope, reports.isEmpty {
                throw ClientError(.usage, "run \(query.run) has no report for scope '\(Scope.shown(scope))'"
                    + (query.stage.map { " in stage \($0)" } ?? "") + " (yet): scopes are matched exactly, as `swell logs \(query.run)` shows them")
            }
            if query.json {
                StandardStreams.out(try json(reports))
            } else {
                for report in reports { StandardStreams.out(render(report)) }
            }
            return .success
        }
    }

    static func local(_ query: Query) throws -> [Report] {
        let journal = try StateDirectory.existingJournal(query.stateDirectory,
                                                          hint: "; for a run on a cluster, add --coordinator tcp://HOST:7710")
        guard let record = try journal.run(query.run) else {
            throw ClientError(.usage, "no run \(query.run) in \(journal.path); for a run on a cluster, add --coordinator tcp://HOST:7710")
        }
        if let stage = query.stage,
           let problem = Plan.noSuchStage(stage, run: query.run, planText: record.run.planText, file: record.run.file) {
            throw ClientError(.usage, problem)
        }
        return try journal.reports(run: query.run, stage: query.stage, scope: query.scope)
    }

    static func remote(_ query: Query) async throws -> [Report] {
        try await pages(endpoint: query.coordinator!, curve: query.curve, timeout: query.timeout, into: [Report](), request: { id, offset in
            LogsRequest(id: id, run: query.run, stage: query.stage, scope: query.scope, offset: offset)
        }, each: { reports, page in reports += page.reports })
    }

    /// How long each page may take: a coordinator paused for a while (SIGSTOP, a busy machine, a
    /// slow disk under its journal) answers once it runs again.
    static let pageWait: Duration = .seconds(60)

    /// Asks the coordinator at `endpoint` for a run's reports page after page, folding each
    /// page into `state` as it comes; a refusal is a usage error.
    static func pages<State: Sendable>(
        endpoint: String, curve: ZMQSocketConfiguration.Curve?, timeout: Duration, into state: State,
        request: @escaping @Sendable (_ id: UInt64, _ offset: Int) -> LogsRequest,
        each: @escaping @Sendable (inout State, LogsReply) throws -> Void
    ) async throws -> State {
        try await ClientConnection.session(endpoint: endpoint, curve: curve, timeout: timeout) { connection, reader in
            var state = state
            var offset: Int? = 0
            while let from = offset {
                let id = connection.nextID()
                connection.send(.logsRequest(request(id, from)))
                let reply = await reader.expect(within: max(pageWait, timeout)) {
                    switch $0 {
                    case .logs(let l): return l.replyTo == id
                    case .refusal(let r): return r.replyTo == id
                    default: return false
                    }
                }
                switch reply {
                case .logs(let page)?:
                    try each(&state, page)
                    offset = page.next
                case .refusal(let refusal)?:
                    throw ClientError(.usage, refusal.message)
                default:
                    throw ClientError(.unreachable, "the coordinator at \(endpoint) did not answer")
                }
            }
            return state
        }
    }

    static func render(_ report: Report) -> Data {
        let seconds = String(format: "%.2fs", report.endedAt - report.startedAt)
        // The header is Swell's: a scope's or node's control characters are shown, not obeyed
        // (the outputs below it are the tasks' own bytes, as they wrote them).
        let header = TerminalText.oneLine("\(report.label) · node \(report.node)", tabs: true)
        var out = Data("== \(header) · attempt \(report.attempt) · \(report.outcome) · \(seconds)\n".utf8)
        out.append(report.stdout)
        if let last = report.stdout.last, last != UInt8(ascii: "\n") { out.append(UInt8(ascii: "\n")) }
        if !report.stderrTail.isEmpty {
            out.append(Data("-- stderr --\n".utf8))
            out.append(report.stderrTail)
            if let last = report.stderrTail.last, last != UInt8(ascii: "\n") { out.append(UInt8(ascii: "\n")) }
        }
        return out
    }

    /// The reports as `--json` prints them: each report's own fields, its outputs as text
    /// (`stderrTail` as `stderr`), and `succeeded`.
    static func json(_ reports: [Report]) throws -> Data {
        let encoder = JSONOutput.encoder()
        encoder.dataEncodingStrategy = .custom { data, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(String(decoding: data, as: UTF8.self))
        }
        encoder.keyEncodingStrategy = .custom { path in
            // The path always ends with the key being written.
            let key = path[path.count - 1]
            return key.stringValue == "stderrTail" ? OutputKey.stderr : key
        }
        return try JSONOutput.data(reports.map { Versioned(ReportJSON(report: $0)) }, encoder: encoder)
    }

    /// A report as `--json` prints it: the report, and whether it succeeded.
    struct ReportJSON: Encodable {
        var report: Report

        func encode(to encoder: any Encoder) throws {
            try report.encode(to: encoder)
            var container = encoder.container(keyedBy: OutputKey.self)
            try container.encode(report.succeeded, forKey: .succeeded)
        }
    }

    enum OutputKey: String, CodingKey {
        case stderr, succeeded
    }
}
