package import Foundation

/// What one task produced.
///
/// Identified by (run, stage, index, attempt). This declaration is the one list of a report's
/// fields: the wire header, the journal's `report` table and `swell logs --json` are its Codable
/// form (on the wire, `stdout` and `stderrTail` travel as payload parts).
package struct Report: Sendable, Codable, Hashable {
    package var run: String
    package var stage: String
    package var index: Int
    package var scope: String
    package var attempt: Int
    package var node: String
    /// The share the task belongs to (-1 for a stage's reduction).
    package var share: Int
    /// The exit status when the process exited; nil when a signal ended it or it never ran.
    package var exitCode: Int32?
    /// The signal that ended the process, if one did (after a timeout: SIGKILL).
    package var signal: Int32?
    /// True when the task ran past its `timeout` and its process group was killed.
    package var timedOut: Bool
    /// Why the task never ran or was stopped: the program could not start, the node's
    /// `--allow` list refused it, or the run was cancelled. Nil for a normal run.
    package var error: TaskError?
    /// Seconds since 1970.
    package var startedAt: Double
    package var endedAt: Double
    /// Bytes the task wrote to stdout, including any cut off by the output cap.
    package var stdoutBytes: Int
    package var stdoutTruncated: Bool
    /// The command as run, placeholders substituted (for logs and the joblog).
    package var command: String
    package var stdout: Data
    /// The last bytes of stderr (64 KiB at most).
    package var stderrTail: Data
    /// What the attempt cost, as its stage's `cost` read it from stdout; nil when it does not say.
    package var cost: Double?

    package init(
        run: String, stage: String, index: Int, scope: String, attempt: Int, node: String,
        exitCode: Int32?, signal: Int32?, timedOut: Bool, error: TaskError?,
        startedAt: Double, endedAt: Double, stdoutBytes: Int, stdoutTruncated: Bool,
        command: String, stdout: Data, stderrTail: Data, share: Int = -1
    ) {
        self.share = share
        self.run = run
        self.stage = stage
        self.index = index
        self.scope = scope
        self.attempt = attempt
        self.node = node
        self.exitCode = exitCode
        self.signal = signal
        self.timedOut = timedOut
        self.error = error
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.stdoutBytes = stdoutBytes
        self.stdoutTruncated = stdoutTruncated
        self.command = command
        self.stdout = stdout
        self.stderrTail = stderrTail
    }

    /// True when the attempt was stopped on purpose rather than failing by itself: it ends its
    /// task without a retry.
    package var wasCancelled: Bool { error == .cancelled }

    /// True when the task exited with status 0 within its timeout.
    package var succeeded: Bool { exitCode == 0 && signal == nil && !timedOut && error == nil }

    /// A few words on how the task ended: `exit 0`, `exit 2`, `signal 9`, `timed out`, or the error.
    package var outcome: String {
        if let error { return error.description }
        if timedOut { return "timed out" }
        if let signal { return "signal \(signal)" }
        if let exitCode { return "exit \(exitCode)" }
        return "unknown"
    }

    /// `scan[3] src/core`, or `scan (reduce)` for a stage's reduction: how messages name a task.
    package var label: String {
        let name = index >= 0 ? "\(stage)[\(index)]" : "\(stage) (reduce)"
        return scope.isEmpty ? name : "\(name) \(Scope.shown(scope))"
    }

    /// The stderr tail as text.
    package var stderrText: String { String(decoding: stderrTail, as: UTF8.self) }
}

extension Report {
    /// The line the runner ends a task's stdout with when it cut it at `cap` bytes.
    package static func cutMarker(cap: Int, wrote: Int) -> String {
        "[swell: output cut at \(cap) bytes; the task wrote \(wrote) bytes]"
    }
}
