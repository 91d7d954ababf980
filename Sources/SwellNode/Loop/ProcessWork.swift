import SwellProtocol

/// A child process the loop wants started: a task of an assignment, or a share's summarize.
struct ProcessWork: Sendable, Equatable {
    enum Purpose: Sendable, Equatable {
        case task(TaskRef)
        case summarize
    }

    var key: ProcessKey
    var purpose: Purpose
    var execution: TaskExecution
    /// The command as the report shows it, placeholders substituted.
    var command: String
}
