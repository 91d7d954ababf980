import Foundation
import SwellCore

/// How one child process ended and what it wrote.
struct TaskOutcome: Sendable {
    var exitCode: Int32?
    var signal: Int32?
    var timedOut: Bool
    var error: TaskError?
    var stdout: Data
    var stdoutBytes: Int
    var stdoutTruncated: Bool
    var stderrTail: Data
    var startedAt: Double
    var endedAt: Double
    /// What the report says it cost (the stage's `cost`).
    var cost: Double? = nil
}
