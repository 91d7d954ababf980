import Foundation
import Testing
@testable import SwellCore
@testable import SwellPlan
@testable import SwellProtocol
@testable import SwellWire
import SwellTestSupport

@Suite struct WireCodecTests {
    let report = Report(
        run: "r1", stage: "scan", index: 3, scope: "src/a b", attempt: 2, node: "n1", exitCode: 0, signal: nil,
        timedOut: false, error: nil, startedAt: 1.5, endedAt: 2.25, stdoutBytes: 5, stdoutTruncated: false,
        command: "grep x 'src/a b'", stdout: Data("hello".utf8), stderrTail: Data([0, 255, 10]))

    func roundTrip(_ message: Message) throws -> Message {
        let frames = WireCodec.encode(message)
        #expect(frames[0] == Data("swell/1".utf8))
        #expect(frames[1] == Data(message.type.utf8))
        #expect(frames.count <= WireCodec.maxFrames)
        return try WireCodec.decode(frames)
    }

    @Test func reportsKeepTheirBinaryOutput() throws {
        guard case .report(let decoded) = try roundTrip(.report(ReportMessage(id: 9, report: report))) else {
            Issue.record("not a report")
            return
        }
        #expect(decoded.id == 9)
        #expect(decoded.report == report)
    }

    @Test func assignmentsCarryStdinAndFinishedReports() throws {
        let spec = TaskSpec(run: .shell("echo {scope}"), summarize: .argv(["sort"]), env: ["A": "1"], timeoutMilliseconds: 500,
                            width: 4, pacing: .rolling, input: .jsonl, vars: ["v": "x"], outputCap: 100)
        let assign = Assign(id: 1, run: "r", stage: "s", kind: .share, share: 2, attempt: 1, first: 10, count: 3,
                            firstScope: "a", lastScope: "c",
                            tasks: [TaskRef(index: 10, scope: "a", attempt: 1, retriesLeft: 2)], done: [report, report],
                            elsewhere: [12], spec: spec, stdin: Data("input".utf8))
        guard case .assign(let decoded) = try roundTrip(.assign(assign)) else {
            Issue.record("not an assignment")
            return
        }
        #expect(decoded.spec == spec)
        #expect(decoded.stdin == Data("input".utf8))
        #expect(decoded.done == [report, report])
        #expect(decoded.tasks == assign.tasks)
        #expect(decoded.elsewhere == [12])
    }

    @Test func resultsSayHowLongEachSinkOutputIs() throws {
        let result = RunResult(id: 1, run: "r", status: .failed, stages: [], sinks: ["a", "b"], error: "x", outputBytes: [3, 0])
        guard case .result(let decoded) = try roundTrip(.result(result)) else {
            Issue.record("not a result")
            return
        }
        #expect(decoded.outputBytes == [3, 0])
        #expect(decoded.status == .failed)
    }

    @Test func outputPiecesCarryTheirBytesAsPayload() throws {
        let bytes = Data((0..<300).map { UInt8($0 % 256) })
        let piece = OutputChunk(id: 9, run: "r", sink: 1, offset: 4096, data: bytes, last: false)
        guard case .output(let decoded) = try roundTrip(.output(piece)) else {
            Issue.record("not an output piece")
            return
        }
        #expect(decoded.data == bytes)
        #expect(decoded.sink == 1)
        #expect(decoded.offset == 4096)
        #expect(!decoded.last)
    }

    @Test func headerOnlyMessages() throws {
        let hello = Hello(id: 1, role: .node, name: "n", incarnation: "i", slots: 3, labels: ["gpu"])
        guard case .hello(let decoded) = try roundTrip(.hello(hello)) else {
            Issue.record("not a hello")
            return
        }
        #expect(decoded.slots == 3)
        #expect(decoded.labels == ["gpu"])
        #expect(decoded.software == SwellVersion.current)
        if case .ack(let ack) = try roundTrip(.ack(Ack(id: 2, acks: [5, 6]))) {
            #expect(ack.acks == [5, 6])
        } else {
            Issue.record("not an ack")
        }
    }

    @Test func otherVersionsAndProtocolsAreRecognised() {
        #expect(kind([Data("swell/2".utf8), Data("HELLO".utf8), Data("{}".utf8)]) == .unknownVersion)
        #expect(kind([Data("HTTP/1.1".utf8), Data("GET".utf8), Data("{}".utf8)]) == .malformed)
    }

    @Test func malformedMessagesAreErrorsNotCrashes() {
        let tag = Data("swell/1".utf8)
        #expect(kind([]) == .malformed)
        #expect(kind([tag]) == .malformed)
        #expect(kind([tag, Data("HELLO".utf8)]) == .malformed)
        #expect(kind([tag, Data("HELLO".utf8), Data("{".utf8)]) == .malformed)
        #expect(kind([tag, Data("HELLO".utf8), Data("{}".utf8)]) == .malformed)
        #expect(kind([tag, Data("NOPE".utf8), Data("{}".utf8)]) == .unknownType)
        #expect(kind([tag, Data("HELLO".utf8), Data("{}".utf8), Data(), Data()]) == .malformed)
        // A report whose parts do not add up to its payload.
        var frames = WireCodec.encode(.report(ReportMessage(id: 1, report: report)))
        frames[3] = frames[3].dropLast()
        #expect(kind(frames) == .malformed)
        // Negative and overflowing part lengths.
        let header = #"{"id":1,"share":0,"parts":[-1,1],"report":{}}"#
        #expect(kind([tag, Data("REPORT".utf8), Data(header.utf8), Data([1])]) == .malformed)
        let huge = #"{"id":1,"share":0,"parts":[9223372036854775807,9223372036854775807],"report":{}}"#
        #expect(kind([tag, Data("REPORT".utf8), Data(huge.utf8), Data()]) == .malformed)
    }

    @Test func randomBytesNeverTrap() {
        var generator = SeededRandom("WireCodecTests.randomBytesNeverTrap")
        let types = ["HELLO", "REPORT", "ASSIGN", "SUMMARY", "RESULT", "LOGS", "SUBMIT", "X"]
        for round in 0..<5_000 {
            var frames = [Data("swell/1".utf8), Data(types[round % types.count].utf8)]
            let length = Int.random(in: 0..<200, using: &generator)
            frames.append(Data((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }))
            if round % 2 == 0 { frames.append(Data((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })) }
            _ = try? WireCodec.decode(frames)
        }
    }

    func kind(_ frames: [Data]) -> WireError.Kind? {
        do {
            _ = try WireCodec.decode(frames)
            return nil
        } catch {
            return error.kind
        }
    }
}
