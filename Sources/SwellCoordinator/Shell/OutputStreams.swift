import Foundation
import Logging
import SwellCore
import SwellJournal
import SwellProtocol

/// Streams finished runs' sink outputs from the journal to clients as OUTPUT pieces, then sends
/// each run's RESULT with the outputs' lengths.
///
/// A stream keeps at most ``window`` pieces of ``pieceSize`` unacknowledged, and reads the
/// journal only as pieces are acknowledged, so that neither the coordinator nor a slow client
/// ever holds a whole output: memory per stream is a few MiB, whatever the output's size.
/// Used by the coordinator's loop alone.
final class OutputStreams {
    static let pieceSize = 1 << 20
    static let window = 4

    private struct Key: Hashable {
        var peer: Data
        var run: String
    }

    private struct Stream {
        var result: RunResult
        let sources: [OutputSource]
        /// Where each sink starts for this client (the bytes it already has).
        let from: [Int]
        /// The sink being sent.
        var sink = 0
        /// Bytes of that sink passed so far (sent, or skipped because the client has them).
        var offset = 0
        /// For `.reports`: the next scope index to read.
        var cursor = 0
        /// Rendered bytes read and not sent yet, from `pendingStart`.
        var pending = Data()
        var pendingStart = 0
        /// Nothing more to read for the current sink.
        var drained = false
        var lengths: [Int] = []
        var inFlight: Set<UInt64> = []
        /// When the client last acknowledged a piece (or the stream started).
        var heard: ContinuousClock.Instant
    }

    /// A stream whose client acknowledges nothing for this long (it was killed, or its
    /// connection is gone for good) is dropped.
    static let abandonAfter: Duration = .seconds(60)

    private let journal: Journal
    private let logger: Logger
    /// Sends a message to a peer.
    private let send: (Data, Message) -> Void
    private var streams: [Key: Stream] = [:]
    /// OUTPUT ids come from a range of their own, apart from the scheduler's message ids.
    private var nextID: UInt64 = 1 << 62

    init(journal: Journal, logger: Logger, send: @escaping (Data, Message) -> Void) {
        self.journal = journal
        self.logger = logger
        self.send = send
    }

    /// Streams under way.
    var count: Int { streams.count }

    /// Starts streaming `result`'s sink outputs to `peer`.
    func start(_ peer: Data, _ result: RunResult, sources: [OutputSource], from: [Int]?) {
        let key = Key(peer: peer, run: result.run)
        streams[key] = Stream(result: result, sources: sources, from: from ?? [], heard: .now)
        pump(key)
    }

    /// A client acknowledged `ids`: room for more pieces.
    func acknowledged(_ peer: Data, _ ids: [UInt64]) {
        for key in streams.keys where key.peer == peer {
            let before = streams[key]!.inFlight.count
            streams[key]!.inFlight.subtract(ids)
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

    /// Drops streams whose client has acknowledged nothing for ``abandonAfter``.
    func sweep(at now: ContinuousClock.Instant) {
        for (key, stream) in streams where now - stream.heard > Self.abandonAfter {
            logger.info("run \(key.run): a client stopped acknowledging its output; it can attach again to get the rest")
            streams[key] = nil
        }
    }

    /// Sends pieces while the window has room; at the end, the RESULT.
    private func pump(_ key: Key) {
        guard var stream = streams[key] else { return }
        defer { streams[key] = stream.inFlight.isEmpty && stream.sink >= stream.sources.count ? nil : stream }
        while stream.inFlight.count < Self.window {
            let piece: OutputChunk?
            do {
                piece = try next(&stream, run: key.run)
            } catch {
                logger.error("reading the outputs of run \(key.run) from the journal failed: \(error)")
                stream.result.error = (stream.result.error.map { $0 + "; " } ?? "") + "its output could not be read from the journal: \(error)"
                stream.sink = stream.sources.count
                piece = nil
            }
            guard let piece else {
                var result = stream.result
                result.outputBytes = stream.lengths + Array(repeating: 0, count: max(0, result.sinks.count - stream.lengths.count))
                send(key.peer, .result(result))
                stream.inFlight = []
                stream.sink = stream.sources.count
                return
            }
            stream.inFlight.insert(piece.id)
            send(key.peer, .output(piece))
        }
    }

    /// The next piece to send, or nil once every sink is through.
    private func next(_ stream: inout Stream, run: String) throws -> OutputChunk? {
        while stream.sink < stream.sources.count {
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
                return piece
            }
            stream.pending = Data()
            stream.pendingStart = 0
            if stream.drained {
                // An empty piece closes the sink, so that the client knows it has all of it.
                nextID += 1
                let end = OutputChunk(id: nextID, run: run, sink: stream.sink, offset: stream.offset, data: Data(), last: true)
                stream.lengths.append(stream.offset)
                stream.sink += 1
                stream.offset = 0
                stream.cursor = 0
                stream.drained = false
                return end
            }
            switch stream.sources[stream.sink] {
            case .none:
                stream.drained = true
            case .report(let stage, let index):
                stream.pending = try journal.finalReport(run: run, stage: stage, index: index)?.stdout ?? Data()
                stream.drained = true
            case .reports(let stage, let format):
                let reports = try journal.finalReports(run: run, stage: stage, from: stream.cursor, bytes: Self.pieceSize)
                if let last = reports.last {
                    stream.pending = format.render(reports: reports)
                    stream.cursor = last.index + 1
                } else {
                    stream.drained = true
                }
            }
        }
        return nil
    }
}
