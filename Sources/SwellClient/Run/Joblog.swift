import Foundation
import SwellCore

/// Writes GNU parallel's joblog format: a header, then one tab-separated line per finished
/// task attempt, in the order they finished. `Seq` is the job number, as GNU parallel's: the
/// task's place in its stage's scopes, from 1 (0 for a stage's reduction), so that
/// `parallel --resume-failed --joblog` over the same arguments runs the failed jobs again;
/// `Host` is the node's name; `Send` is 0; `Receive` is the stdout bytes; `Exitval` is -1 when
/// a signal or a timeout ended the task, or it failed with an exit status of 0 (an invalid report); `Command` is on one line, its newlines written as NUL
/// bytes, as GNU parallel writes them.
///
/// A line that cannot be written (a full disk) ends the joblog: ``record(_:)`` says why, once,
/// and writes nothing more; the run goes on, and every report stays in the journal.
final class Joblog {
    let path: String
    private let descriptor: Int32
    /// Why a line could not be written; nothing is written after it.
    private(set) var failure: String?

    static let header = "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ClientError(.usage, "cannot write the joblog \(path): \(String(cString: strerror(errno)))")
        }
        let error = StandardStreams.write(Data(Self.header.utf8), to: descriptor)
        guard error == 0 else {
            close(descriptor)
            throw ClientError(.usage, "cannot write the joblog \(path): \(String(cString: strerror(error)))")
        }
    }

    deinit { close(descriptor) }

    /// Appends the report's line. Returns why it could not, the first time a line cannot be
    /// written; nil otherwise (also for the lines not written after that).
    func record(_ report: Report) -> String? {
        guard failure == nil else { return nil }
        let error = StandardStreams.write(Data(Self.line(report).utf8), to: descriptor)
        guard error != 0 else { return nil }
        failure = String(cString: strerror(error))
        return failure
    }

    static func line(_ report: Report) -> String {
        let start = String(format: "%.3f", report.startedAt)
        let runtime = String(format: "%10.3f", max(0, report.endedAt - report.startedAt))
        // A task that exited 0 but failed all the same (its report was not what the stage
        // expects) must not read as a success to `parallel --resume-failed`.
        let exitValue = report.succeeded || report.exitCode != 0 ? report.exitCode.map(String.init) ?? "-1" : "-1"
        let signal = report.signal.map(String.init) ?? "0"
        // One line, as GNU parallel writes it: newlines as NUL bytes. (A tab stays a tab: the
        // command is the last field, and GNU parallel keeps it too.)
        let command = report.command.replacingOccurrences(of: "\n", with: "\u{0}")
        let sequence = max(0, report.index + 1)
        return "\(sequence)\t\(report.node)\t\(start)\t\(runtime)\t0\t\(report.stdoutBytes)\t\(exitValue)\t\(signal)\t\(command)\n"
    }
}
