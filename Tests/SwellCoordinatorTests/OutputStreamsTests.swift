import Foundation
import Logging
import Testing
@testable import SwellCoordinator
@testable import SwellCore
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

    @Test func aStreamKeepsOnlyAFewPiecesUnacknowledged() async throws {
        let h = try finishedRun(mebibytes: 12)
        let delivery = try #require(h.deliveries.last)
        let (journal, cleanup) = try await h.replayedJournal()
        defer { cleanup() }
        let sent = SentMessages()
        let streams = OutputStreams(journal: journal, logger: Logger(label: "test")) { _, message in sent.messages.append(message) }
        streams.start(Data("client".utf8), delivery.result, sources: delivery.sources, from: nil)
        // Nothing acknowledged: the window, and no more.
        #expect(sent.messages.count == OutputStreams.window)
        // A client that never acknowledges is given up after a while.
        streams.sweep(at: .now + .seconds(30))
        #expect(streams.count == 1)
        streams.sweep(at: .now + OutputStreams.abandonAfter + .seconds(1))
        #expect(streams.count == 0)
    }

    @Test func aClientThatLeavesEndsItsStream() async throws {
        let h = try finishedRun(mebibytes: 6)
        let delivery = try #require(h.deliveries.last)
        let (journal, cleanup) = try await h.replayedJournal()
        defer { cleanup() }
        let streams = OutputStreams(journal: journal, logger: Logger(label: "test")) { _, _ in }
        streams.start(Data("client".utf8), delivery.result, sources: delivery.sources, from: nil)
        streams.forget(Data("other".utf8))
        #expect(streams.count == 1)
        streams.forget(Data("client".utf8))
        #expect(streams.count == 0)
    }
}
