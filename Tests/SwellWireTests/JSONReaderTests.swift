import Foundation
import Testing
@testable import SwellCore
@testable import SwellProtocol
@testable import SwellWire
import SwellTestSupport

@Suite struct JSONReaderTests {
    func parse(_ text: String) -> JSONValue? { try? JSONReader.parse(Data(text.utf8)) }

    @Test func readsWhatJSONSerializationReads() throws {
        let samples = [
            #"{"a":1,"b":[true,false,null],"c":{"d":"e"},"f":-0.5e3,"g":""}"#,
            #"["\"\\\/\b\f\n\r\t","\u00e9\u20ac","\ud83d\ude00","plain ünïcode"]"#,
            #"  { "spaced" : [ 1 , 2 ] }  "#,
            #"[0, -0, 123456789012, 1.5, 1E2, 1e-2]"#,
        ]
        for sample in samples {
            let ours = try #require(parse(sample), "\(sample)")
            let theirs = try JSONSerialization.jsonObject(with: Data(sample.utf8), options: .fragmentsAllowed)
            #expect(same(ours, theirs), "\(sample)")
        }
        #expect(parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(parse("123")?.int == 123)
        #expect(parse("1.5")?.int == nil)
        #expect(parse("1.5")?.double == 1.5)
    }

    @Test func refusesWhatIsNotJSON() {
        for bad in ["", "{", "[1,]", "{\"a\":}", "{a:1}", "01", "1.", "-", ".5", "+1", "tru", "nul",
                    "\"unterminated", "\"bad \\x escape\"", "\"\\ud83d\"", "\"\\ud83d\\u0041\"", "\"tab\there\"",
                    "[1] trailing", "{\"a\":1,}", "[1 2]", "\"\\u12\""] {
            #expect(parse(bad) == nil, "\(bad) was accepted")
        }
        #expect(parse(String(repeating: "[", count: 33) + String(repeating: "]", count: 33)) == nil)
        #expect(parse(String(repeating: "[", count: 30) + String(repeating: "]", count: 30)) != nil)
        #expect(parse(String(repeating: "[", count: 100_000)) == nil)
        #expect((try? JSONReader.parse(Data([0x22, 0xFF, 0xFE, 0x22]))) == nil)
    }

    @Test func randomBytesNeverTrap() {
        var generator = SeededRandom("JSONReaderTests.randomBytesNeverTrap")
        let alphabet = Array(#"{}[]",:0123456789.-+eEtrufalsn\u"#.utf8) + [0x20, 0x0A, 0xC3, 0xA9, 0xFF]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0..<64, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            _ = try? JSONReader.parse(Data(bytes))
        }
    }

    @Test func writtenStringsReadBack() throws {
        let tricky = "quote\" backslash\\ newline\n tab\t nul\u{0} bell\u{07} é 😀 </script>"
        var writer = JSONWriter()
        writer.string(tricky)
        #expect(try JSONReader.parse(Data(writer.bytes)) == .string(tricky))
        #expect(try JSONSerialization.jsonObject(with: Data(writer.bytes), options: .fragmentsAllowed) as? String == tricky)
    }

    func same(_ ours: JSONValue, _ theirs: Any) -> Bool {
        switch ours {
        case .null: return theirs is NSNull
        case .bool(let b): return (theirs as? Bool) == b
        case .number(let d, _): return (theirs as? NSNumber)?.doubleValue == d
        case .string(let s): return (theirs as? String) == s
        case .array(let items):
            guard let other = theirs as? [Any], other.count == items.count else { return false }
            return zip(items, other).allSatisfy { same($0, $1) }
        case .object(let fields):
            guard let other = theirs as? [String: Any], other.count == fields.count else { return false }
            return fields.allSatisfy { key, value in other[key].map { same(value, $0) } ?? false }
        }
    }
}

@Suite struct ReportWireTests {
    func reports() -> [Report] {
        [
            Report(run: "r", stage: "s", index: 0, scope: "a b \"c\" \\ é\n😀", attempt: 1, node: "n1", exitCode: 0, signal: nil,
                   timedOut: false, error: nil, startedAt: 1795678968.123456, endedAt: 1795678968.5, stdoutBytes: 3,
                   stdoutTruncated: false, command: "echo 'a b'", stdout: Data("out".utf8), stderrTail: Data([0xFF]), share: 2),
            Report(run: "r", stage: "s", index: 7, scope: "", attempt: 3, node: "n", exitCode: nil, signal: 9, timedOut: true,
                   error: .failed("cannot start 'x': no such program"), startedAt: 0, endedAt: 1e10, stdoutBytes: 9_000_000_000,
                   stdoutTruncated: true, command: "", stdout: Data(), stderrTail: Data(), share: -1),
            Report(run: "r", stage: "s", index: 1, scope: "x", attempt: 1, node: "n", exitCode: -1, signal: nil, timedOut: false,
                   error: nil, startedAt: 0.1, endedAt: 0.2, stdoutBytes: 0, stdoutTruncated: false, command: "c",
                   stdout: Data(), stderrTail: Data(), share: 0),
        ]
    }

    /// The frames of a REPORT whose header is `header` and whose payload holds `report`'s outputs.
    func frames(_ type: String, header: Data, payload: Data? = nil) -> [Data] {
        [WireCodec.protocolTag, Data(type.utf8), header] + (payload.map { [$0] } ?? [])
    }

    /// Foundation's JSON of `message`, with each output replaced by its part index and the part
    /// lengths added: the header as the protocol defines it.
    func codableForm(_ message: ReportMessage) throws -> [String: Any] {
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(message)) as! [String: Any]
        var report = object["report"] as! [String: Any]
        report["stdout"] = 0
        report["stderrTail"] = 1
        object["report"] = report
        object["parts"] = [message.report.stdout.count, message.report.stderrTail.count]
        return object
    }

    @Test func theWrittenHeaderIsTheCodableForm() throws {
        for report in reports() {
            let message = ReportMessage(id: 42, report: report)
            let written = WireCodec.encode(.report(message))
            let ours = try JSONSerialization.jsonObject(with: written[2]) as! NSDictionary
            #expect(ours == NSDictionary(dictionary: try codableForm(message)))
            #expect(written[3] == report.stdout + report.stderrTail)
        }
    }

    @Test func theReaderReadsTheCodableForm() throws {
        for report in reports() {
            let message = ReportMessage(id: 7, report: report)
            let header = try JSONSerialization.data(withJSONObject: try codableForm(message))
            guard case .report(let read) = try WireCodec.decode(frames("REPORT", header: header, payload: report.stdout + report.stderrTail)) else {
                Issue.record("not a report")
                continue
            }
            #expect(read.report == report)
            #expect(read.id == 7)
        }
    }

    @Test func missingOrWrongFieldsAreMalformed() {
        let report = reports()[0]
        let good = WireCodec.encode(.report(ReportMessage(id: 1, report: report)))
        let text = String(decoding: good[2], as: UTF8.self)
        for (from, to) in [("\"index\":0", "\"index\":\"0\""), ("\"exitCode\":0", "\"exitCode\":3000000000"),
                           ("\"id\":1", "\"id\":-1"), ("\"run\":\"r\",", ""), ("\"timedOut\":false", "\"timedOut\":0"),
                           ("\"stdout\":0", "\"stdout\":1"), ("\"stderrTail\":1", "\"stderrTail\":7")] {
            #expect(text.contains(from), "\(from) is not in \(text)")
            let broken = Data(text.replacingOccurrences(of: from, with: to).utf8)
            #expect(throws: WireError.self, "\(from) -> \(to)") { try WireCodec.decode(frames("REPORT", header: broken, payload: good[3])) }
        }
    }
}

@Suite struct AckWireTests {
    @Test func bothFormsReadEachOther() throws {
        for ack in [Ack(id: 1, acks: []), Ack(id: UInt64(Int64.max), acks: [1, 2, 18_446_744_073_709])] {
            let fast = WireCodec.encode(.ack(ack))[2]
            let viaCodable = try JSONDecoder().decode(Ack.self, from: fast)
            #expect(viaCodable.id == ack.id && viaCodable.acks == ack.acks)
            guard case .ack(let read) = try WireCodec.decode(frames("ACK", header: try JSONEncoder().encode(ack))) else {
                Issue.record("not an ack")
                continue
            }
            #expect(read.id == ack.id && read.acks == ack.acks)
        }
        for bad in [#"{"id":1,"acks":[-1]}"#, #"{"id":1,"acks":"x"}"#, #"{"acks":[]}"#] {
            #expect(throws: WireError.self) { try WireCodec.decode(frames("ACK", header: Data(bad.utf8))) }
        }
    }

    func frames(_ type: String, header: Data) -> [Data] { [WireCodec.protocolTag, Data(type.utf8), header] }
}
