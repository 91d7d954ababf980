import Foundation
import SwellCore

/// REPORT is the one message sent per task: it is written and read without Codable. The JSON
/// is the same as the Codable form, which the tests check both ways.
extension ReportMessage {
    func header(parts: [Int]) -> Data {
        var w = JSONWriter()
        w.raw("{")
        w.key("id", first: true); w.integer(id)
        w.key("share"); w.integer(share)
        w.key("parts"); w.raw("["); w.integer(parts[0]); w.raw(","); w.integer(parts[1]); w.raw("]")
        w.key("report")
        let r = report
        w.raw("{")
        w.key("run", first: true); w.string(r.run)
        w.key("stage"); w.string(r.stage)
        w.key("index"); w.integer(r.index)
        w.key("scope"); w.string(r.scope)
        w.key("attempt"); w.integer(r.attempt)
        w.key("node"); w.string(r.node)
        w.key("share"); w.integer(r.share)
        if let exitCode = r.exitCode { w.key("exitCode"); w.integer(exitCode) }
        if let signal = r.signal { w.key("signal"); w.integer(signal) }
        w.key("timedOut"); w.bool(r.timedOut)
        if let error = r.error { w.key("error"); w.string(error) }
        w.key("startedAt"); w.double(r.startedAt)
        w.key("endedAt"); w.double(r.endedAt)
        w.key("stdoutBytes"); w.integer(r.stdoutBytes)
        w.key("stdoutTruncated"); w.bool(r.stdoutTruncated)
        w.key("command"); w.string(r.command)
        w.raw("}}")
        return Data(w.bytes)
    }

    /// Reads a REPORT header; the payload parts are attached by the caller.
    static func read(_ header: Data, type: String = "REPORT") throws(WireError) -> (ReportMessage, parts: [Int]?) {
        let json: JSONValue
        do {
            json = try JSONReader.parse(header)
        } catch {
            throw WireError(.malformed, "\(type) header: \(error.problem) at byte \(error.offset)")
        }
        func need<T>(_ value: T?, _ field: String) throws(WireError) -> T {
            guard let value else { throw WireError(.malformed, "\(type): missing or bad field '\(field)'") }
            return value
        }
        func int32(_ value: JSONValue?, _ field: String) throws(WireError) -> Int32? {
            guard let value, !value.isNull else { return nil }
            guard let int = value.int, let narrow = Int32(exactly: int) else { throw WireError(.malformed, "\(type): bad field '\(field)'") }
            return narrow
        }
        func optionalString(_ value: JSONValue?, _ field: String) throws(WireError) -> String? {
            guard let value, !value.isNull else { return nil }
            return try need(value.string, field)
        }
        let r = try need(json["report"], "report")
        var parts: [Int]?
        if let list = json["parts"], !list.isNull {
            guard case .array(let items) = list else { throw WireError(.malformed, "\(type): bad field 'parts'") }
            parts = try items.map { item throws(WireError) in try need(item.int, "parts") }
        }
        guard let rawID = json["id"], case .number(_, let id64?) = rawID, let id = UInt64(exactly: id64) else {
            throw WireError(.malformed, "\(type): missing or bad field 'id'")
        }
        let report = Report(
            run: try need(r["run"]?.string, "report.run"),
            stage: try need(r["stage"]?.string, "report.stage"),
            index: try need(r["index"]?.int, "report.index"),
            scope: try need(r["scope"]?.string, "report.scope"),
            attempt: try need(r["attempt"]?.int, "report.attempt"),
            node: try need(r["node"]?.string, "report.node"),
            exitCode: try int32(r["exitCode"], "report.exitCode"),
            signal: try int32(r["signal"], "report.signal"),
            timedOut: try need(r["timedOut"]?.bool, "report.timedOut"),
            error: try optionalString(r["error"], "report.error"),
            startedAt: try need(r["startedAt"]?.double, "report.startedAt"),
            endedAt: try need(r["endedAt"]?.double, "report.endedAt"),
            stdoutBytes: try need(r["stdoutBytes"]?.int, "report.stdoutBytes"),
            stdoutTruncated: try need(r["stdoutTruncated"]?.bool, "report.stdoutTruncated"),
            command: try need(r["command"]?.string, "report.command"),
            stdout: Data(), stderrTail: Data(),
            share: try need(r["share"]?.int, "report.share"))
        return (ReportMessage(id: id, share: try need(json["share"]?.int, "share"), report: report), parts)
    }
}
