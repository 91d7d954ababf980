/// Where a stage of a run stands.
package enum StageStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting for the stages it needs.
    case pending
    case running
    case succeeded
    case failed
    /// Stopped because the run ended (it failed elsewhere, or was cancelled).
    case cancelled
    /// Never started: a stage it needs was cancelled or skipped, or the run ended first.
    case skipped

    /// Whether the stage is over.
    package var isFinished: Bool {
        switch self {
        case .pending, .running: false
        case .succeeded, .failed, .cancelled, .skipped: true
        }
    }
}
