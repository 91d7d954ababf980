package import Foundation
package import SwellCore

/// A run has ended (coordinator -> client). The payload holds the sink stages' outputs.
package struct RunResult: Sendable, Codable {
    package var id: UInt64
    package var run: String
    package var status: RunStatus
    package var stages: [StageResult]
    /// Sink stage ids, in plan order, matching `outputs`.
    package var sinks: [String]
    package var error: String?
    package var outputs: [Data]

    package init(id: UInt64, run: String, status: RunStatus, stages: [StageResult], sinks: [String], error: String?, outputs: [Data]) {
        self.id = id
        self.run = run
        self.status = status
        self.stages = stages
        self.sinks = sinks
        self.error = error
        self.outputs = outputs
    }
}
