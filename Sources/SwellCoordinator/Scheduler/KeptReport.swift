import Foundation
import SwellCore

/// What the coordinator keeps of a task's final report while its stage runs: what the stage's
/// output, its reduction and a re-assigned share's summarize read. The report itself is in the
/// journal. A task that succeeded with no output keeps nothing (see ``StageState/keep(_:)``).
struct KeptReport: Sendable {
    var stdout: Data
    var exitCode: Int32?
    var signal: Int32?
    var timedOut: Bool
    var error: TaskError?
    /// The stdout was cut at the node's output cap.
    var truncated: Bool

    init(_ report: Report) {
        stdout = report.stdout
        exitCode = report.exitCode
        signal = report.signal
        timedOut = report.timedOut
        error = report.error
        truncated = report.stdoutTruncated
    }

    /// A task that succeeded and wrote nothing.
    init() {
        stdout = Data()
        exitCode = 0
        signal = nil
        timedOut = false
        error = nil
        truncated = false
    }

    /// The report again, as far as outputs and summaries read it.
    func report(run: String, stage: String, index: Int, scope: String, share: Int) -> Report {
        Report(run: run, stage: stage, index: index, scope: scope, attempt: 0, node: "", exitCode: exitCode,
               signal: signal, timedOut: timedOut, error: error, startedAt: 0, endedAt: 0, stdoutBytes: stdout.count,
               stdoutTruncated: truncated, command: "", stdout: stdout, stderrTail: Data(), share: share)
    }
}
