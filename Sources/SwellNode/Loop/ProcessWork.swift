package import SwellProtocol

/// A child process the loop wants started: a task of an assignment, or a share's summarize.
package struct ProcessWork: Sendable, Equatable {
    package enum Purpose: Sendable, Equatable {
        case task(TaskRef)
        case summarize
    }

    package var key: ProcessKey
    package var purpose: Purpose
    package var execution: TaskExecution
    /// The command as the report shows it, placeholders substituted.
    package var command: String
}
