package import Foundation
package import SwellProtocol

/// Frames of protocol version 1:
///
///     [ "swell/1" ] [ TYPE ] [ JSON header ] [ payload ]?
///
/// The header is the message struct's Codable form, written by ``HeaderEncoder`` and read by
/// ``HeaderDecoder``. Binary data (task output, stdin) travels in the one optional payload frame:
/// a `Data` field's value in the header is the index of its part, and the header's `parts` field
/// lists the byte length of each part.
package enum WireCodec {
    package static let protocolTag = Data(WireProtocol.tag.utf8)
    /// Most frames a valid message has.
    package static let maxFrames = 4

    // MARK: Encoding

    package static func encode(_ message: Message) -> [Data] {
        switch message {
        case .hello(let m): frames(message, m)
        case .welcome(let m): frames(message, m)
        case .heartbeat(let m): frames(message, m)
        case .assign(let m): frames(message, m)
        case .relay(let m), .report(let m): frames(message, m)
        case .summary(let m): frames(message, m)
        case .ack(let m): frames(message, m)
        case .cancel(let m): frames(message, m)
        case .leave(let m): frames(message, m)
        case .refusal(let m): frames(message, m)
        case .submit(let m): frames(message, m)
        case .accepted(let m): frames(message, m)
        case .rejected(let m): frames(message, m)
        case .event(let m): frames(message, m)
        case .result(let m): frames(message, m)
        case .output(let m): frames(message, m)
        case .attach(let m): frames(message, m)
        case .statusRequest(let m): frames(message, m)
        case .status(let m): frames(message, m)
        case .logsRequest(let m): frames(message, m)
        case .logs(let m): frames(message, m)
        case .inputRequest(let m): frames(message, m)
        case .input(let m): frames(message, m)
        case .leaseRequest(let m): frames(message, m)
        case .lease(let m): frames(message, m)
        }
    }

    private static func frames<Body: Encodable>(_ message: Message, _ body: Body) -> [Data] {
        let header: [UInt8], parts: [Data]
        do {
            (header, parts) = try HeaderEncoder.encode(body)
        } catch {
            preconditionFailure("encoding \(message.type) cannot fail: \(error)")
        }
        var frames = [protocolTag, Data(message.type.utf8), Data(header)]
        if !parts.isEmpty {
            let total = parts.reduce(0) { $0 + $1.count }
            if let whole = parts.first(where: { $0.count == total }) {
                // One part holds every byte (an output piece, a report with no stderr): as it is.
                frames.append(whole)
            } else {
                var payload = Data()
                payload.reserveCapacity(total)
                for part in parts { payload.append(part) }
                frames.append(payload)
            }
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
            if text.hasPrefix(WireProtocol.name + "/") {
                throw WireError(.unknownVersion, "protocol \(text); this build speaks \(WireProtocol.tag)")
            }
            throw WireError(.malformed, "not a swell message")
        }
        let type = String(decoding: frames[1].prefix(16), as: UTF8.self)
        let header: JSONValue
        do {
            header = try JSONReader.parse(frames[2])
        } catch {
            throw WireError(.malformed, "\(type) header: \(error.problem) at byte \(error.offset)")
        }
        let parts = try split(frames.count == 4 ? frames[3] : nil, lengths: try partLengths(header, type))
        func body<Body: Decodable>(_ kind: Body.Type) throws(WireError) -> Body {
            do {
                return try HeaderDecoder.decode(Body.self, from: header, parts: parts)
            } catch {
                throw WireError(.malformed, "\(type): \(describe(error))")
            }
        }
        switch type {
        case "HELLO": return .hello(try body(Hello.self))
        case "WELCOME": return .welcome(try body(Welcome.self))
        case "HEARTBEAT": return .heartbeat(try body(Heartbeat.self))
        case "ASSIGN": return .assign(try body(Assign.self))
        case "RELAY": return .relay(try body(ReportMessage.self))
        case "REPORT": return .report(try body(ReportMessage.self))
        case "SUMMARY": return .summary(try body(SummaryMessage.self))
        case "ACK": return .ack(try body(Ack.self))
        case "CANCEL": return .cancel(try body(Cancel.self))
        case "LEAVE": return .leave(try body(Leave.self))
        case "REFUSAL": return .refusal(try body(Refusal.self))
        case "SUBMIT": return .submit(try body(Submit.self))
        case "ACCEPTED": return .accepted(try body(Accepted.self))
        case "REJECTED": return .rejected(try body(Rejected.self))
        case "EVENT": return .event(try body(Event.self))
        case "RESULT": return .result(try body(RunResult.self))
        case "OUTPUT": return .output(try body(OutputChunk.self))
        case "ATTACH": return .attach(try body(Attach.self))
        case "STATUS?": return .statusRequest(try body(StatusRequest.self))
        case "STATUS": return .status(try body(StatusReply.self))
        case "LOGS?": return .logsRequest(try body(LogsRequest.self))
        case "LOGS": return .logs(try body(LogsReply.self))
        case "INPUT?": return .inputRequest(try body(InputRequest.self))
        case "INPUT": return .input(try body(InputChunk.self))
        case "LEASE?": return .leaseRequest(try body(LeaseList.self))
        case "LEASE": return .lease(try body(LeaseList.self))
        default: throw WireError(.unknownType, "unknown message type '\(type)'")
        }
    }

    /// The header's `parts`: non-negative byte lengths, or nil when there are none.
    private static func partLengths(_ header: JSONValue, _ type: String) throws(WireError) -> [Int]? {
        guard let list = header["parts"], !list.isNull else { return nil }
        guard case .array(let items) = list else { throw WireError(.malformed, "\(type): bad field 'parts'") }
        var lengths: [Int] = []
        lengths.reserveCapacity(items.count)
        for item in items {
            guard let length = item.int else { throw WireError(.malformed, "\(type): bad field 'parts'") }
            lengths.append(length)
        }
        return lengths
    }

    private static func split(_ payload: Data?, lengths: [Int]?) throws(WireError) -> [Data] {
        guard let lengths else {
            if payload != nil { throw WireError(.malformed, "payload without `parts`") }
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
        // One part that is the whole payload (the usual case for large ones) is not copied.
        if let whole = lengths.firstIndex(of: payload.count) {
            return lengths.indices.map { $0 == whole ? payload : Data() }
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
        case .keyNotFound(let key, let context)?:
            return "missing field '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?, .dataCorrupted(let context)?:
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "bad field '\(path)': \(context.debugDescription)"
        default: return "undecodable"
        }
    }
}
