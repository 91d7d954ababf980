import Foundation
import SwellProtocol

/// What the scheduler leaves to the shell: answers read from the journal, and the streams of
/// runs' sink outputs, which are read from it as they grow and as clients acknowledge them.
enum JournalQuery: Sendable {
    case logs(peer: Data, LogsRequest)
    /// A client attached to a run that is not in memory: the shell looks for it in the journal
    /// (``Scheduler/attach(_:_:finished:_:_:)``), or refuses.
    case finishedRun(peer: Data, Attach)
    /// A client cancels a run that is not in memory: finished before a restart, or unknown.
    case cancelNotInMemory(peer: Data, Cancel)
    /// A client asks to continue a finished run (SUBMIT with `resume`): the shell reads it from
    /// the journal and hands it to ``Scheduler/resume(_:_:status:snapshot:_:_:)``.
    case resumeRun(peer: Data, Submit)
    /// A fan-out starts: the shell reads how long its tasks ran in the plan's latest runs created
    /// before this one (`before`) and hands that to ``Scheduler/learnDurations(_:stage:_:_:_:)``.
    case durations(run: String, stage: String, plan: String, before: Double)
    /// A `lines-of` stage is ready to start: the shell splits its source's output into scopes
    /// away from the loop and hands them to ``Scheduler/scopesSplit(_:stage:_:_:_:)``.
    case splitLines(run: String, stage: String, source: String, output: Data, cut: Bool)
    /// Stream a run's sink outputs to a client as far as `sinks` says they can be read (each
    /// from the given byte, or from the start); once the run has ended, `result` follows them.
    case streamOutput(peer: Data, run: String, sinks: [SinkProgress], result: RunResult?, from: [Int]?)
    /// More of a run's sink outputs can be read, or the run has ended (`result`): its streams go
    /// on; at the end, each of `peers` that has no stream gets one.
    case outputAdvanced(run: String, peers: [Data], sinks: [SinkProgress], result: RunResult?)
    /// A client acknowledged messages: output pieces among them make room for more.
    case outputAcknowledged(peer: Data, ids: [UInt64])
    /// A client left: its unfinished streams end.
    case clientLeft(peer: Data)
    /// `swell status`: the reply, to which the shell adds the runs the journal has and memory
    /// does not (finished before a restart, or forgotten), before it sends it.
    case status(peer: Data, StatusReply)
}
