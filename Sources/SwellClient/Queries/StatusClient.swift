import Foundation
import SwellCoordinator
import SwellCore
import SwellJournal
import SwellProtocol
package import SwellZMQ

/// `swell status`: the coordinator's nodes (slots, running tasks, last heartbeat) and runs.
package enum StatusClient {
    package static func run(endpoint: String, curve: ZMQSocketConfiguration.Curve? = nil, json: Bool,
                           timeout: Duration = .seconds(5)) async -> SwellExit {
        await SwellExit.reporting {
            let reply = try await fetch(endpoint: endpoint, curve: curve, timeout: timeout)
            if json {
                StandardStreams.out(try JSONOutput.data(Versioned(reply)))
            } else {
                StandardStreams.out(Data(render(reply, now: Date().timeIntervalSince1970).utf8))
            }
            return .success
        }
    }

    static func fetch(endpoint: String, curve: ZMQSocketConfiguration.Curve?, timeout: Duration) async throws -> StatusReply {
        try await ClientConnection.session(endpoint: endpoint, curve: curve, timeout: timeout) { connection, reader in
            let id = connection.nextID()
            connection.send(.statusRequest(StatusRequest(id: id)))
            let reply = await reader.expect(within: timeout) {
                if case .status(let s) = $0 { return s.replyTo == id }
                return false
            }
            guard case .status(let status)? = reply else {
                throw ClientError(.unreachable, "the coordinator at \(endpoint) did not answer the status request")
            }
            return status
        }
    }

    /// `swell status --state DIR`: the runs a journal holds (the embedded default's, or a
    /// stopped coordinator's), newest first, without asking any coordinator.
    package static func local(stateDirectory: String, json: Bool, limit: Int) async -> SwellExit {
        await SwellExit.reporting {
            let journal = try StateDirectory.existingJournal(stateDirectory, hint: ": no run has used this --state yet")
            let runs = try journal.runOverviews(limit: limit)
            let path = journal.path
            if json {
                StandardStreams.out(try JSONOutput.data(Versioned(JournalRuns(journal: path, runs: runs))))
            } else {
                StandardStreams.out(Data(("journal \(path)\n\n" + runsTable(runs, now: Date().timeIntervalSince1970)).utf8))
            }
            return .success
        }
    }

    /// What `swell status --state DIR --json` prints.
    struct JournalRuns: Encodable {
        var journal: String
        var runs: [RunOverview]
    }

    static func runsTable(_ runs: [RunOverview], now: Double) -> String {
        guard !runs.isEmpty else { return "no runs\n" }
        var rows = [["RUN", "PLAN", "STATUS", "TASKS", "SUCCEEDED", "FAILED", "RUNNING", "STARTED"]]
        for run in runs {
            rows.append([run.run, run.name, run.status.rawValue, String(run.tasks), String(run.succeeded),
                         String(run.failed), String(run.running), ago(now - run.createdAt)])
        }
        var out = table(rows)
        for run in runs { if let waiting = run.waiting { out += "run \(run.run) waits: \(waiting)\n" } }
        return out
    }

    static func render(_ reply: StatusReply, now: Double) -> String {
        let security = switch reply.security {
        case .curve: "peers admitted by CURVE key"
        case .insecure: "INSECURE: no keys"
        case .loopback: "loopback, no keys"
        }
        var out = "coordinator \(reply.endpoint) (\(security))\n\n"
        if reply.nodes.isEmpty {
            out += "no nodes have joined\n"
        } else {
            var rows = [["NODE", "STATE", "SLOTS", "RUNNING", "TASKS", "LAST HEARTBEAT", "LABELS"]]
            for node in reply.nodes {
                rows.append([node.name, node.state.rawValue, String(node.slots), String(node.running), String(node.tasksRun),
                             ago(now - node.lastHeartbeat), node.labels.joined(separator: ",")])
            }
            out += table(rows)
        }
        out += "\n" + runsTable(reply.runs, now: now)
        if let limits = reply.limits, !limits.isEmpty {
            var rows = [["LIMIT", "FOR", "AT ONCE", "STARTS/MIN", "HELD", "QUEUED", "PAUSED UNTIL"]]
            for limit in limits {
                rows.append([limit.name, limit.run ?? "all runs", limit.concurrent.map(String.init) ?? "-",
                             limit.startsPerMinute.map(String.init) ?? "-", String(limit.held), String(limit.queued),
                             limit.pausedUntil.map { Date(timeIntervalSince1970: $0.rounded()).ISO8601Format() } ?? "-"])
            }
            out += "\n" + table(rows)
        }
        let d = reply.dropped
        let drops = [("malformed", d.malformed), ("unknown version", d.unknownVersion), ("without HELLO", d.withoutHello),
                     ("out of order", d.outOfOrder), ("unauthorized", d.unauthorized), ("too many frames", d.tooManyFrames),
                     ("duplicates", d.duplicates), ("unknown run", d.unknownRun)].filter { $0.1 > 0 }
        if !drops.isEmpty {
            out += "\ndropped messages: " + drops.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + "\n"
        }
        return out
    }

    static func ago(_ seconds: Double) -> String {
        if seconds < 0.05 { return "just now" }
        if seconds < 60 { return String(format: "%.1fs ago", seconds) }
        if seconds < 3600 { return "\(Int(seconds / 60))m ago" }
        return "\(Int(seconds / 3600))h ago"
    }

    /// Node names, plan names and labels come from elsewhere: their control characters are
    /// shown, not sent to the terminal.
    static func table(_ rows: [[String]]) -> String {
        let rows = rows.map { row in row.map { TerminalText.visible($0) } }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
    }
}
