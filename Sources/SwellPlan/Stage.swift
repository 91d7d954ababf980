package import SwellCore

/// One step of a plan: a single task, or a fan-out with one task per scope.
package struct Stage: Sendable {
    package var id: String
    package var run: Command
    package var needs: [String]
    package var partition: Partition?
    package var width: Int
    package var pacing: Pacing
    /// The order its tasks start in (`order`).
    package var order: TaskOrder = .longestFirst
    /// Nil for no limit.
    package var timeout: Duration?
    /// `timeout: 300%`: a task that runs longer than this percentage of the median duration of
    /// the stage's tasks that succeeded (once 3 have) is stopped as a straggler.
    package var timeoutPercent: Int?
    /// A timeout or a cancel sends the task's process group SIGTERM, then SIGKILL this long after
    /// (`stop-grace`; zero: SIGKILL at once).
    package var stopGrace: Duration = Stage.defaultStopGrace
    package static let defaultStopGrace: Duration = .seconds(5)
    package var retries: Int
    package var summarize: Command?
    package var synthesize: Command?
    package var input: InputFormat
    package var onFailure: OnFailure
    package var labels: [String]
    package var env: [String: String]
    /// What runs a string command (`run`, `summarize`, `synthesize`), which is appended as the
    /// last argument. Nil: `/bin/sh -c`.
    package var shell: [String]?
    /// A prompt template file (`prompt`), relative to the plan file's folder: its text, with
    /// placeholders as plain text, is each task's stdin after the outputs of its `needs`.
    package var prompt: String?
    /// What each task's report must look like to count as done (`expect`).
    package var expect: ReportExpectation?
    /// The plan's named limits its tasks run under (`uses`): each task starts only under a lease
    /// of every one of them.
    package var uses: [String] = []
    /// What a rate-limited attempt looks like (`rate-limit`).
    package var rateLimit: RateLimitRule?
    /// How to read what a task cost from its report (`cost`), for the run's budget.
    package var cost: CostRule?
    /// Where the stage and each of its fields are written, for diagnostics.
    package var location: SourceLocation
    package var fieldLocations: [String: SourceLocation]

    package var isFanOut: Bool { partition != nil }

    /// `needs`, then the `lines-of` stage if it is not already among them.
    package var dependencies: [String] {
        var all = needs
        if let source = partition?.sourceStage, !all.contains(source) { all.append(source) }
        return all
    }

    package func location(of field: String) -> SourceLocation { fieldLocations[field] ?? location }
}
