import Foundation
import Logging
import Testing
@testable import SwellCoordinator
@testable import SwellCore
@testable import SwellJournal
@testable import SwellProtocol

@Suite struct OutputStreamsTests {
    /// A finished run whose one sink produced `mebibytes` MiB, as the harness journals it.
    func finishedRun(mebibytes: Int) throws -> SchedulerHarness {
        var h = SchedulerHarness()
        h.join("n1")
        #expect(h.submit(itemsPlan(mebibytes)) != nil)
        let chunk = String(repeating: "y", count: OutputStreams.pieceSize - 1) + "\n"
        while let assign = h.assigns(h.take("n1")).first {
            h.complete(assign, on: "n1", out: { _ in chunk })
        }
        return h
    }

    /// The output streams of a shell over `h`'s journal, streaming its last delivered run to
    /// "client" from the start; what they send goes to `sent`.
    func streaming(_ h: SchedulerHarness) async throws -> (OutputStreams, SentMessages, cleanup: () -> Void) {
        let delivery = try #require(h.deliveries.last)
        let (journal, cleanup) = try await h.replayedJournal()
        let sent = SentMessages()
        let streams = OutputStreams(journal: journal, logger: Logger(label: "test")) { _, message in sent.messages.append(message) }
        streams.start(Data("client".utf8), run: delivery.result.run, sinks: delivery.sinks, result: delivery.result, from: nil)
        return (streams, sent, cleanup)
    }

    @Test func aStreamKeepsOnlyAFewPiecesUnacknowledged() async throws {
        let (streams, sent, cleanup) = try await streaming(try finishedRun(mebibytes: 12))
        defer { cleanup() }
        // Nothing acknowledged: the window, and no more.
        #expect(sent.messages.count == OutputStreams.window)
        streams.sweep(at: .now + .seconds(30))
        #expect(streams.count == 1)
    }

    @Test func aClientThatStopsTakingItsOutputForMinutesGetsAllOfItWhenItGoesOn() async throws {
        // `swell run plan.yaml | less`: nothing is acknowledged while the user reads.
        let (streams, sent, cleanup) = try await streaming(try finishedRun(mebibytes: 12))
        defer { cleanup() }
        let client = Data("client".utf8)
        let first = sent.messages
        sent.messages = []
        #expect(first.count == OutputStreams.window)
        streams.sweep(at: .now + OutputStreams.parkAfter + .seconds(1))
        #expect(streams.count == 1, "parked, not dropped")
        #expect(sent.messages.isEmpty)
        // Much later the client writes what it had and acknowledges it, piece by piece, as
        // `swell run` does: the rest follows, and what it has twice it drops.
        var output = Data()
        var result: RunResult?
        var queue = first
        while !queue.isEmpty {
            let message = queue.removeFirst()
            switch message {
            case .output(let piece):
                if piece.offset + piece.data.count > output.count {
                    output.append(piece.data.dropFirst(output.count - piece.offset))
                }
                streams.acknowledged(client, [piece.id])
            case .result(let r):
                result = r
            default:
                Issue.record("unexpected \(message.type)")
            }
            queue += sent.messages
            sent.messages = []
        }
        #expect(output.count == 12 * OutputStreams.pieceSize)
        #expect(output.allSatisfy { $0 == UInt8(ascii: "y") || $0 == UInt8(ascii: "\n") })
        #expect(result?.outputBytes == [12 * OutputStreams.pieceSize])
        #expect(streams.count == 0)
    }

    @Test func aClientThatLeavesEndsItsStream() async throws {
        let (streams, _, cleanup) = try await streaming(try finishedRun(mebibytes: 6))
        defer { cleanup() }
        streams.forget(Data("other".utf8))
        #expect(streams.count == 1)
        streams.forget(Data("client".utf8))
        #expect(streams.count == 0)
    }
}

/// The coordinator's shell in a test, behind a ``SchedulerHarness``: each ``catchUp(_:)``
/// commits the batches written since the last one to a real journal, then carries out the
/// output queries, as the loop does after each commit.
final class LiveShell {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swell-live-\(UUID().uuidString)").path
    let journal: Journal
    let sent = SentMessages()
    var streams: OutputStreams!
    private var written = 0
    private var handled = 0

    init() throws {
        journal = try Journal(directory: directory)
        let sent = sent
        streams = OutputStreams(journal: journal, logger: Logger(label: "test")) { _, message in sent.messages.append(message) }
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func catchUp(_ h: SchedulerHarness) async throws {
        for batch in h.journal_batches.dropFirst(written) { try await journal.write(batch) }
        written = h.journal_batches.count
        for query in h.queries.dropFirst(handled) { _ = streams.handle(query) }
        handled = h.queries.count
    }

    /// What reached the client since the last call: the output's bytes (each piece
    /// acknowledged), whether a sink was closed, and the RESULT if it came.
    func received(_ client: String = "client") -> (output: String, closed: Bool, result: RunResult?) {
        var output = Data()
        var closed = false
        var result: RunResult?
        while !sent.messages.isEmpty {
            switch sent.messages.removeFirst() {
            case .output(let piece):
                output.append(piece.data)
                closed = closed || piece.last
                streams.acknowledged(Data(client.utf8), [piece.id])
            case .result(let r):
                result = r
            default:
                break
            }
        }
        return (String(decoding: output, as: UTF8.self), closed, result)
    }
}

@Suite struct LiveOutputTests {
    /// Reports task `index` of `assign` as done on n1 with `out` as its stdout.
    func report(_ h: inout SchedulerHarness, _ assign: Assign, _ index: Int, out: String? = nil, exit: Int32 = 0) {
        let task = assign.tasks[index]
        h.send("n1", .report(ReportMessage(id: h.nextID(), report: h.report(assign, task, on: "n1", out: out ?? task.scope + "\n", exit: exit))))
    }

    @Test func aSinkStreamsInScopeOrderAsItsTasksFinishAndTheResultComesLast() async throws {
        let shell = try LiveShell()
        var h = SchedulerHarness()
        h.join("n1")
        #expect(h.submit(itemsPlan(3)) != nil)
        let sent = h.take("n1")
        let assign = try #require(h.assigns(sent).first)
        try await shell.catchUp(h)
        #expect(shell.received().output == "")

        // The second task first: nothing can go before the first one's output.
        report(&h, assign, 1)
        try await shell.catchUp(h)
        #expect(shell.received().output == "")
        report(&h, assign, 0)
        try await shell.catchUp(h)
        let early = shell.received()
        #expect(early.output == "s0\ns1\n")
        #expect(!early.closed && early.result == nil, "the run goes on: no end yet")

        report(&h, assign, 2)
        let s = ShareSummary(run: assign.run, stage: assign.stage, share: assign.share, first: assign.first, count: assign.count,
                             firstScope: assign.firstScope, lastScope: assign.lastScope, node: "n1", exitCode: 0, error: nil, output: Data())
        h.send("n1", .summary(SummaryMessage(id: h.nextID(), attempt: assign.attempt, summary: s, summarized: false)))
        try await shell.catchUp(h)
        let last = shell.received()
        #expect(last.output == "s2\n")
        #expect(last.closed)
        #expect(last.result?.status == .succeeded)
        #expect(last.result?.outputBytes == [9])
        #expect(shell.streams.count == 0)
    }

    @Test func aSinkStoppedByAFailureKeepsTheOutputOfTheTasksBeforeIt() async throws {
        let shell = try LiveShell()
        var h = SchedulerHarness()
        h.join("n1")
        #expect(h.submit(itemsPlan(4)) != nil)
        let sent = h.take("n1")
        let assign = try #require(h.assigns(sent).first)
        report(&h, assign, 1)
        report(&h, assign, 0)
        report(&h, assign, 2, out: "boom\n", exit: 1)
        try await shell.catchUp(h)
        let got = shell.received()
        #expect(got.result?.status == .failed)
        // Scope order up to the task that stopped the run, its own output included; the task
        // after it had not finished.
        #expect(got.output == "s0\ns1\nboom\n")
        #expect(got.closed)
        #expect(got.result?.outputBytes == [11])
    }

    @Test func aClientThatAttachesDuringTheRunGetsTheRestFromWhereItWas() async throws {
        let shell = try LiveShell()
        var h = SchedulerHarness()
        h.join("n1")
        let submitted = h.submit(itemsPlan(3))
        let run = try #require(submitted)
        let sent = h.take("n1")
        let assign = try #require(h.assigns(sent).first)
        report(&h, assign, 0)
        report(&h, assign, 1)
        try await shell.catchUp(h)
        #expect(shell.received().output == "s0\ns1\n")
        // The client lost its connection after the first 3 bytes, and attaches again.
        h.send("client", .attach(Attach(id: h.nextID(), run: run, taskEvents: false, outputFrom: [3])))
        try await shell.catchUp(h)
        #expect(shell.received().output == "s1\n")
        report(&h, assign, 2)
        try await shell.catchUp(h)
        #expect(shell.received().output == "s2\n")
    }
}
