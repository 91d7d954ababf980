package import SwellCore

/// Progress of a run (coordinator -> attached clients).
package struct Event: Sendable, Codable {
    package enum Kind: String, Sendable, Codable {
        case stageStarted = "stage-started"
        case stageFinished = "stage-finished"
        case taskFinished = "task-finished"
        case progress
        case notice
    }

    package var id: UInt64
    package var run: String
    package var kind: Kind
    package var stage: String?
    /// For stage events and progress: the stage's counts.
    package var counts: StageCounts?
    /// For `task-finished`: the report without its output.
    package var report: Report?
    /// For a failed task: the end of its stderr (2 KiB at most).
    package var stderr: String?
    /// For notices: a line for the user.
    package var message: String?
    /// For `stage-finished`: how long the stage ran, by the coordinator's clock.
    package var seconds: Double?
    /// For `stage-finished`: how the stage ended.
    package var status: StageStatus?
    /// For `stage-started`: the stage began in an earlier `swell run` of this run, and goes on.
    package var continued: Bool?

    package init(id: UInt64, run: String, kind: Kind, stage: String? = nil, counts: StageCounts? = nil,
                report: Report? = nil, stderr: String? = nil, message: String? = nil, seconds: Double? = nil,
                status: StageStatus? = nil, continued: Bool? = nil) {
        self.status = status
        self.continued = continued
        self.stderr = stderr
        self.id = id
        self.run = run
        self.kind = kind
        self.stage = stage
        self.counts = counts
        self.report = report
        self.message = message
        self.seconds = seconds
    }
}
