import Foundation
package import SwellCore

/// A run has ended (coordinator -> client). The sink stages' outputs came before it, as OUTPUT
/// pieces; `outputBytes` says how long each is, so that the client knows it has them whole.
package struct RunResult: Sendable, Codable {
    package var id: UInt64
    package var run: String
    package var status: RunStatus
    package var stages: [StageResult]
    /// Sink stage ids, in plan order, matching `outputBytes`.
    package var sinks: [String]
    package var error: String?
    /// The length of each sink's output.
    package var outputBytes: [Int]
    /// When the run last went on (`--continue`, `--retry-failed`): its times count from there.
    package var continuedAt: Double?

    package init(id: UInt64, run: String, status: RunStatus, stages: [StageResult], sinks: [String], error: String?,
                 outputBytes: [Int] = []) {
        self.id = id
        self.run = run
        self.status = status
        self.stages = stages
        self.sinks = sinks
        self.error = error
        self.outputBytes = outputBytes
    }
}
