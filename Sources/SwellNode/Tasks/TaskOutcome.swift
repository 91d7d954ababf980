package import Foundation
package import SwellCore

/// How one child process ended and what it wrote.
package struct TaskOutcome: Sendable {
    package var exitCode: Int32?
    package var signal: Int32?
    package var timedOut: Bool
    package var error: TaskError?
    package var stdout: Data
    package var stdoutBytes: Int
    package var stdoutTruncated: Bool
    package var stderrTail: Data
    package var startedAt: Double
    package var endedAt: Double
}
