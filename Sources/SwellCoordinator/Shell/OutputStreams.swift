import Foundation
import Logging
import SwellCore
import SwellJournal
import SwellProtocol

/// Streams runs' sink outputs from the journal to clients as OUTPUT pieces, as far as each can
/// be read (a fan-out's reports in scope order as its tasks finish, any other output once its
/// stage has ended), then, once the run has ended, its RESULT with the outputs' lengths.
///
/// A stream keeps at most ``window`` pieces of ``pieceSize`` unacknowledged, and reads the
/// journal only as pieces are acknowledged and as outputs grow, so that neither the coordinator
/// nor a slow client ever holds a whole output: memory per stream is a few MiB, whatever the
/// output's size. Used by the coordinator's loop alone, after the batch it was told about is
/// committed.
final class OutputStreams {
    static let pieceSize = 1 << 20
    static let window = 4

    private struct Key: Hashable {
        var peer: Data
        var run: String
    }

    private struct Stream {
        /// The run's RESULT, once it has ended.
        var result: RunResult?
        /// How far each sink's output can be read.
        var sinks: [SinkProgress]
        /// Where each sink starts for this client (the bytes it already has).
        let from: [Int]
        /// The sink being sent.
        var sink = 0
        /// Bytes of that sink passed so far (sent, or skipped because the client has them).
        var offset = 0
        /// The next scope index to read (for a single report: 1 once it is read).
        var cursor = 0
        /// Rendered bytes read and not sent yet, from `pendingStart`.
        var pending = Data()
        var pendingStart = 0
        var lengths: [Int] = []
        /// The pieces sent and not yet acknowledged, with where each ends: (sink, byte after it).
        var inFlight: [UInt64: (sink: Int, end: Int)] = [:]
        /// The client stopped acknowledging (its stdout is blocked, or it is gone): what was
        /// read ahead is dropped, and the stream starts again from the piece it acknowledges next.
        var parked = false
        /// When the client last acknowledged a piece, or a piece went out after a wait.
        var heard: ContinuousClock.Instant
        /// Why the journal could not be read, for the RESULT.
        var failure: String?
        var ended = false
    }

    private enum Step {
        case piece(OutputChunk)
        /// Nothing more can be read until the output grows or the run ends.
        case wait
        /// Every sink is through and the run has ended.
        case end
    }

    /// A stream whose client acknowledges nothing for this long (its stdout is blocked, or it
    /// was killed) is parked: it keeps only where it was, and resumes when the client
    /// acknowledges again.
    static let parkAfter: Duration = .seconds(60)
    /// Parked streams kept; beyond that the longest parked goes (its client must attach again).
    static let mostParked = 1_000

    private let journal: Journal
    private let logger: Logger
    /// Sends a message to a peer.
    private let send: (Data, Message) -> Void
    private var streams: [Key: Stream] = [:]
    /// OUTPUT and RESULT ids come from a range of their own, apart from the scheduler's message ids.
    private var nextID: UInt64 = 1 << 62

    init(journal: Journal, logger: Logger, send: @escaping (Data, Message) -> Void) {
        self.journal = journal
        self.logger = logger
        self.send = send
    }

    /// Streams under way.
    var count: Int { streams.count }

    /// Carries out `query` if it is about output streams; false for any other.
    func handle(_ query: JournalQuery) -> Bool {
        switch query {
        case .streamOutput(let peer, let run, let sinks, let result, let from):
            start(peer, run: run, sinks: sinks, result: result, from: from)
        case .outputAdvanced(let run, let peers, let sinks, let result):
            advance(run: run, peers: peers, sinks: sinks, result: result)
        case .outputAcknowledged(let peer, let ids):
            acknowledged(peer, ids)
        case .clientLeft(let peer):
            forget(peer)
        case .logs, .cancelNotInMemory, .finishedRun, .status, .resumeRun, .durations, .splitLines:
            return false
        }
        return true
    }

    /// Starts streaming `run`'s sink outputs to `peer` (replacing a stream it had), each from
    /// the byte `from` gives (the ones the client has), as far as `sinks` says; then `result`.
    func start(_ peer: Data, run: String, sinks: [SinkProgress], result: RunResult?, from: [Int]?) {
        let key = Key(peer: peer, run: run)
        streams[key] = Stream(result: result, sinks: sinks, from: from ?? [], heard: .now)
        pump(key)
    }

    /// More of `run`'s outputs can be read, or the run has ended with `result`: its streams go
    /// on, and each of `peers` without one gets one from the start.
    func advance(run: String, peers: [Data], sinks: [SinkProgress], result: RunResult?) {
        let without = result == nil ? [] : peers.filter { streams[Key(peer: $0, run: run)] == nil }
        for key in streams.keys where key.run == run {
            streams[key]!.sinks = sinks
            if let result { streams[key]!.result = result }
            pump(key)
        }
        for peer in without { start(peer, run: run, sinks: sinks, result: result, from: nil) }
    }

    /// A client acknowledged `ids`: room for more pieces.
    func acknowledged(_ peer: Data, _ ids: [UInt64]) {
        for key in streams.keys where key.peer == peer {
            if streams[key]!.parked {
                resume(key, after: ids)
                continue
            }
            let before = streams[key]!.inFlight.count
            for id in ids { streams[key]!.inFlight[id] = nil }
            if streams[key]!.inFlight.count < before {
                streams[key]!.heard = .now
                pump(key)
            }
        }
    }

    /// A client left: its streams end.
    func forget(_ peer: Data) {
        for key in streams.keys where key.peer == peer { streams[key] = nil }
    }

    /// Parks streams whose client has acknowledged none of its pieces for ``parkAfter``. A
    /// stream that waits for its run's output to grow waits as long as the run takes.
    func sweep(at now: ContinuousClock.Instant) {
        for (key, stream) in streams where !stream.parked && !stream.inFlight.isEmpty && now - stream.heard > Self.parkAfter {
            logger.info("run \(key.run): a client has not taken its output for \(Self.parkAfter.components.seconds) s; its stream waits for it")
            streams[key]!.parked = true
            streams[key]!.pending = Data()
            streams[key]!.pendingStart = 0
            streams[key]!.heard = now
        }
        let parked = streams.filter(\.value.parked)
        if parked.count > Self.mostParked {
            for (key, _) in parked.sorted(by: { $0.value.heard < $1.value.heard }).prefix(parked.count - Self.mostParked) {
                streams[key] = nil
            }
        }
    }

    /// A parked stream's client acknowledged again: the stream starts over from the end of the
    /// latest piece acknowledged (the pieces after it may be on their way; the client drops what
    /// it has twice).
    private func resume(_ key: Key, after ids: [UInt64]) {
        guard let stream = streams[key] else { return }
        let acknowledged = ids.compactMap { stream.inFlight[$0] }
        guard let last = acknowledged.max(by: { ($0.sink, $0.end) < ($1.sink, $1.end) }) else { return }
        logger.info("run \(key.run): the client takes its output again")
        let from = Array(stream.lengths.prefix(last.sink)) + [last.end]
        streams[key] = Stream(result: stream.result, sinks: stream.sinks, from: from, heard: .now, failure: stream.failure)
        pump(key)
    }

    /// Sends pieces while the window has room; at the end, the RESULT.
    private func pump(_ key: Key) {
        guard var stream = streams[key], !stream.ended, !stream.parked else { return }
        defer { streams[key] = stream.ended ? nil : stream }
        while stream.inFlight.count < Self.window {
            let step: Step
            do {
                step = try next(&stream, run: key.run)
            } catch {
                logger.error("reading the outputs of run \(key.run) from the journal failed: \(error)")
                stream.failure = "its output could not be read from the journal: \(error)"
                stream.sink = stream.sinks.count
                continue
            }
            switch step {
            case .piece(let piece):
                if stream.inFlight.isEmpty { stream.heard = .now }
                stream.inFlight[piece.id] = (piece.sink, piece.offset + piece.data.count)
                send(key.peer, .output(piece))
            case .wait:
                return
            case .end:
                var result = stream.result!
                if let failure = stream.failure { result.error = (result.error.map { $0 + "; " } ?? "") + failure }
                result.outputBytes = stream.lengths + Array(repeating: 0, count: max(0, result.sinks.count - stream.lengths.count))
                nextID += 1
                result.id = nextID
                send(key.peer, .result(result))
                stream.ended = true
                return
            }
        }
    }

    /// The next piece to send; or that nothing more can be read yet; or the end.
    private func next(_ stream: inout Stream, run: String) throws -> Step {
        while stream.sink < stream.sinks.count {
            let skip = stream.sink < stream.from.count ? stream.from[stream.sink] : 0
            let available = stream.pending.count - stream.pendingStart
            if available > 0 {
                // Bytes the client already has are passed over.
                if stream.offset < skip {
                    let passed = min(available, skip - stream.offset)
                    stream.pendingStart += passed
                    stream.offset += passed
                    continue
                }
                let size = min(available, Self.pieceSize)
                let start = stream.pending.startIndex + stream.pendingStart
                let data = stream.pending.subdata(in: start..<(start + size))
                stream.pendingStart += size
                nextID += 1
                let piece = OutputChunk(id: nextID, run: run, sink: stream.sink, offset: stream.offset, data: data)
                stream.offset += size
                return .piece(piece)
            }
            stream.pending = Data()
            stream.pendingStart = 0
            let progress = stream.sinks[stream.sink]
            guard let source = progress.source else { return .wait }
            switch source {
            case .none:
                break
            case .report(let stage, let index):
                if stream.cursor == 0 {
                    stream.pending = try journal.finalReport(run: run, stage: stage, index: index)?.stdout ?? Data()
                    stream.cursor = 1
                    continue
                }
            case .reports(let stage, let format, let upTo):
                if stream.cursor < upTo {
                    let reports = try journal.finalReports(run: run, stage: stage, from: stream.cursor, before: upTo, bytes: Self.pieceSize)
                    stream.pending = format.render(reports: reports)
                    // (None before `upTo` would mean the journal lost them: nothing more to read.)
                    stream.cursor = reports.last.map { $0.index + 1 } ?? upTo
                    continue
                }
            }
            guard progress.complete else { return .wait }
            // An empty piece closes the sink, so that the client knows it has all of it.
            nextID += 1
            let end = OutputChunk(id: nextID, run: run, sink: stream.sink, offset: stream.offset, data: Data(), last: true)
            stream.lengths.append(stream.offset)
            stream.sink += 1
            stream.offset = 0
            stream.cursor = 0
            return .piece(end)
        }
        return stream.result == nil ? .wait : .end
    }
}
