import Foundation
import SwellCore

/// Writes GNU parallel's joblog format: a header, then one tab-separated line per finished
/// task attempt, in the order they finished. `Seq` is the job number, as GNU parallel's: the
/// task's place in its stage's scopes, from 1 (0 for a stage's reduction), so that
/// `parallel --resume-failed --joblog` over the same arguments runs the failed jobs again;
/// `Host` is the node's name; `Send` is 0; `Receive` is the stdout bytes; `Exitval` is -1 when
/// a signal or a timeout ended the task, or it failed with an exit status of 0 (an invalid report); `Command` is on one line, its newlines written as NUL
/// bytes, as GNU parallel writes them.
final class Joblog {
    private let handle: FileHandle

    static let header = "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(Self.header.utf8)) else {
            throw ClientError(.usage, "cannot write the joblog \(path)")
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw ClientError(.usage, "cannot write the joblog \(path)")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    deinit { try? handle.close() }

    func record(_ report: Report) {
        handle.write(Data(Self.line(report).utf8))
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
