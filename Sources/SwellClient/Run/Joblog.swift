import Foundation
import SwellCore

/// Writes GNU parallel's joblog format: a header, then one tab-separated line per finished
/// task attempt, in the order they finished. `Seq` numbers attempts in that order; `Host` is
/// the node's name; `Send` is 0; `Receive` is the stdout bytes; `Exitval` is -1 when a signal
/// or a timeout ended the task.
final class Joblog {
    private let handle: FileHandle
    private var sequence = 0

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
        sequence += 1
        handle.write(Data(Self.line(report, sequence: sequence).utf8))
    }

    static func line(_ report: Report, sequence: Int) -> String {
        let start = String(format: "%.3f", report.startedAt)
        let runtime = String(format: "%.3f", max(0, report.endedAt - report.startedAt))
        let exitValue = report.exitCode.map(String.init) ?? "-1"
        let signal = report.signal.map(String.init) ?? "0"
        let command = report.command.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\t", with: " ")
        return "\(sequence)\t\(report.node)\t\(start)\t\(runtime)\t0\t\(report.stdoutBytes)\t\(exitValue)\t\(signal)\t\(command)\n"
    }
}
