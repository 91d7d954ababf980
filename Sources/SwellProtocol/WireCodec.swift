package import Foundation
import SwellCore

/// Why an inbound message was dropped.
package struct WireError: Error, Sendable, CustomStringConvertible {
    package enum Kind: String, Sendable {
        /// Wrong frame count, bad JSON, inconsistent payload.
        case malformed
        /// Another protocol, or another version of this one.
        case unknownVersion
        case unknownType
    }

    package var kind: Kind
    package var detail: String

    package init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    package var description: String { "\(kind.rawValue): \(detail)" }
}

/// Frames of protocol version 1:
///
///     [ "swell/1" ] [ TYPE ] [ JSON header ] [ payload ]?
///
/// The JSON header is the message struct. Binary data (task output, stdin) travels in the one
/// optional payload frame; the header's `parts` field lists the byte length of each part.
package enum WireCodec {
    package static let protocolTag = Data("swell/1".utf8)
    package static let protocolName = "swell"
    package static let version = 1
    /// Most frames a valid message has.
    package static let maxFrames = 4

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    private static let decoder = JSONDecoder()

    // MARK: Encoding

    package static func encode(_ message: Message) -> [Data] {
        switch message {
        case .hello(let m): frames(message, m)
        case .welcome(let m): frames(message, m)
        case .heartbeat(let m): frames(message, m)
        case .assign(let m): frames(message, m, parts: [m.stdin] + m.done.flatMap { [$0.stdout, $0.stderrTail] })
        case .report(let m), .relay(let m):
            [protocolTag, Data(message.type.utf8), m.header(parts: [m.report.stdout.count, m.report.stderrTail.count]),
             m.report.stdout + m.report.stderrTail]
        case .summary(let m): frames(message, m, parts: [m.summary.output])
        case .ack(let m): [protocolTag, Data(message.type.utf8), m.header()]
        case .cancel(let m): frames(message, m)
        case .leave(let m): frames(message, m)
        case .refusal(let m): frames(message, m)
        case .submit(let m): frames(message, m)
        case .accepted(let m): frames(message, m)
        case .rejected(let m): frames(message, m)
        case .event(let m): frames(message, m)
        case .result(let m): frames(message, m, parts: m.outputs)
        case .attach(let m): frames(message, m)
        case .statusRequest(let m): frames(message, m)
        case .status(let m): frames(message, m)
        case .logsRequest(let m): frames(message, m)
        case .logs(let m): frames(message, m, parts: m.reports.flatMap { [$0.stdout, $0.stderrTail] })
        }
    }

    private struct Envelope<Body: Encodable>: Encodable {
        var body: Body
        var parts: [Int]?
        func encode(to encoder: any Encoder) throws {
            try body.encode(to: encoder)
            if let parts {
                var container = encoder.container(keyedBy: PartsKey.self)
                try container.encode(parts, forKey: .parts)
            }
        }
    }

    private enum PartsKey: String, CodingKey { case parts }

    /// A message body and its `parts`, read in one parse of the header.
    private struct Incoming<Body: Decodable>: Decodable {
        var body: Body
        var parts: [Int]?

        init(from decoder: any Decoder) throws {
            body = try Body(from: decoder)
            parts = try decoder.container(keyedBy: PartsKey.self).decodeIfPresent([Int].self, forKey: .parts)
        }
    }

    /// Decodes the header as `Body` and splits the payload into the parts it lists.
    private static func read<Body: Decodable>(_ type: Body.Type, _ header: Data, _ payload: Data?) throws -> (Body, [Data]) {
        let incoming = try decoder.decode(Incoming<Body>.self, from: header)
        return (incoming.body, try split(payload, lengths: incoming.parts))
    }

    private static func frames<Body: Encodable>(_ message: Message, _ body: Body, parts: [Data]? = nil) -> [Data] {
        let header: Data
        do {
            header = try encoder.encode(Envelope(body: body, parts: parts?.map(\.count)))
        } catch {
            preconditionFailure("encoding \(message.type) cannot fail: \(error)")
        }
        var frames = [protocolTag, Data(message.type.utf8), header]
        if let parts {
            var payload = Data()
            payload.reserveCapacity(parts.reduce(0) { $0 + $1.count })
            for part in parts { payload.append(part) }
            frames.append(payload)
        }
        return frames
    }

    // MARK: Decoding

    /// Decodes one message; never traps on hostile input.
    package static func decode(_ frames: [Data]) throws(WireError) -> Message {
        guard frames.count >= 3, frames.count <= maxFrames else {
            throw WireError(.malformed, "\(frames.count) frames")
        }
        guard frames[0] == protocolTag else {
            let text = String(decoding: frames[0].prefix(32), as: UTF8.self)
            if text.hasPrefix(protocolName + "/") {
                throw WireError(.unknownVersion, "protocol \(text); this build speaks swell/\(version)")
            }
            throw WireError(.malformed, "not a swell message")
        }
        let type = String(decoding: frames[1].prefix(16), as: UTF8.self)
        let header = frames[2]
        let payload = frames.count == 4 ? frames[3] : nil
        do {
            switch type {
            case "HELLO": return .hello(try plain(Hello.self, header, payload))
            case "WELCOME": return .welcome(try plain(Welcome.self, header, payload))
            case "HEARTBEAT": return .heartbeat(try plain(Heartbeat.self, header, payload))
            case "ASSIGN":
                var (m, parts) = try read(Assign.self, header, payload)
                try expect(parts, count: 1 + 2 * m.done.count, type)
                m.stdin = parts[0]
                for i in m.done.indices {
                    m.done[i].stdout = parts[1 + 2 * i]
                    m.done[i].stderrTail = parts[2 + 2 * i]
                }
                return .assign(m)
            case "REPORT", "RELAY":
                let (read, lengths) = try ReportMessage.read(header, type: type)
                var m = read
                let parts = try split(payload, lengths: lengths)
                try expect(parts, count: 2, type)
                m.report.stdout = parts[0]
                m.report.stderrTail = parts[1]
                return type == "REPORT" ? .report(m) : .relay(m)
            case "SUMMARY":
                var (m, parts) = try read(SummaryMessage.self, header, payload)
                try expect(parts, count: 1, type)
                m.summary.output = parts[0]
                return .summary(m)
            case "ACK":
                if payload != nil { throw WireError(.malformed, "unexpected payload") }
                return .ack(try Ack.read(header))
            case "CANCEL": return .cancel(try plain(Cancel.self, header, payload))
            case "LEAVE": return .leave(try plain(Leave.self, header, payload))
            case "REFUSAL": return .refusal(try plain(Refusal.self, header, payload))
            case "SUBMIT": return .submit(try plain(Submit.self, header, payload))
            case "ACCEPTED": return .accepted(try plain(Accepted.self, header, payload))
            case "REJECTED": return .rejected(try plain(Rejected.self, header, payload))
            case "EVENT": return .event(try plain(Event.self, header, payload))
            case "RESULT":
                var (m, parts) = try read(RunResult.self, header, payload)
                try expect(parts, count: m.sinks.count, type)
                m.outputs = parts
                return .result(m)
            case "ATTACH": return .attach(try plain(Attach.self, header, payload))
            case "STATUS?": return .statusRequest(try plain(StatusRequest.self, header, payload))
            case "STATUS": return .status(try plain(StatusReply.self, header, payload))
            case "LOGS?": return .logsRequest(try plain(LogsRequest.self, header, payload))
            case "LOGS":
                var (m, parts) = try read(LogsReply.self, header, payload)
                try expect(parts, count: 2 * m.reports.count, type)
                for i in m.reports.indices {
                    m.reports[i].stdout = parts[2 * i]
                    m.reports[i].stderrTail = parts[2 * i + 1]
                }
                return .logs(m)
            default:
                throw WireError(.unknownType, "unknown message type '\(type)'")
            }
        } catch let error as WireError {
            throw error
        } catch {
            throw WireError(.malformed, "\(type): \(describe(error))")
        }
    }

    /// A message without payload: a payload frame makes it malformed.
    private static func plain<Body: Decodable>(_ type: Body.Type, _ header: Data, _ payload: Data?) throws -> Body {
        if payload != nil { throw WireError(.malformed, "unexpected payload") }
        return try decoder.decode(Body.self, from: header)
    }

    private static func expect(_ parts: [Data], count: Int, _ type: String) throws(WireError) {
        guard parts.count == count else {
            throw WireError(.malformed, "\(type) carries \(parts.count) payload parts, expected \(count)")
        }
    }

    private static func split(_ payload: Data?, lengths: [Int]?) throws(WireError) -> [Data] {
        guard let lengths else {
            if let payload, !payload.isEmpty { throw WireError(.malformed, "payload without `parts`") }
            return []
        }
        let payload = payload ?? Data()
        guard lengths.allSatisfy({ $0 >= 0 }) else { throw WireError(.malformed, "negative part length") }
        var total = 0
        for length in lengths {
            let (sum, overflow) = total.addingReportingOverflow(length)
            guard !overflow else { throw WireError(.malformed, "part lengths overflow") }
            total = sum
        }
        guard total == payload.count else {
            throw WireError(.malformed, "parts add up to \(total) bytes, payload has \(payload.count)")
        }
        var parts: [Data] = []
        parts.reserveCapacity(lengths.count)
        var offset = payload.startIndex
        for length in lengths {
            parts.append(payload.subdata(in: offset..<offset + length))
            offset += length
        }
        return parts
    }

    private static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _)?: return "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?, .dataCorrupted(let context)?:
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "bad field '\(path)'"
        default: return "undecodable"
        }
    }
}
