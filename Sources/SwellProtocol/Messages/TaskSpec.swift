package import SwellCore
package import SwellPlan

/// What a node needs to run the tasks of one stage.
package struct TaskSpec: Sendable, Codable, Hashable {
    package var run: Command
    /// Run over the share's reports once they are all final (nil: no share summary).
    package var summarize: Command?
    package var env: [String: String]
    package var timeoutMilliseconds: Int?
    /// The task timeout, if any.
    package var timeout: Duration? { timeoutMilliseconds.map { .milliseconds($0) } }
    /// A timeout or a stop sends the task's group SIGTERM, then SIGKILL this long after. Absent:
    /// SIGKILL at once (a coordinator that does not say).
    package var stopGraceMilliseconds: Int?
    /// What each task's report must look like (the stage's `expect`); a report that does not
    /// meet it is a failed attempt. Absent: any report.
    package var expect: ReportExpectation?
    /// The stage's prompt template: with placeholders substituted as plain text, each task's
    /// stdin after the input of its `needs`. Absent: no prompt.
    package var prompt: String?
    /// `timeout: 300%`: stop a task that runs longer than this percentage of the median duration
    /// of the stage's tasks that succeeded; `medianMilliseconds` is that median as the
    /// coordinator knew it when it assigned (absent: fewer than 3 had).
    package var timeoutPercent: Int?
    package var medianMilliseconds: Int?
    /// Each task starts only under a lease (LEASE? / LEASE): the stage `uses` named limits.
    package var leased: Bool?
    /// What a rate-limited attempt looks like: such a report carries `error: "rate limited..."`.
    package var rateLimit: RateLimitRule?
    /// How to read what a task cost from its stdout (the stage's `cost`): reports carry `cost`.
    package var cost: CostRule?
    package var stopGrace: Duration { .milliseconds(stopGraceMilliseconds ?? 0) }
    package var width: Int
    package var pacing: Pacing
    package var input: InputFormat
    package var vars: [String: String]
    /// Bytes of stdout kept per task; the rest is cut with a visible marker.
    package var outputCap: Int
    /// Where the tasks run, below the node's `--workdir` (`RunFolder`). Absent: the workdir.
    package var folder: String?
    /// The program and arguments that run a string command, which comes last. Absent: `/bin/sh -c`.
    package var shell: [String]?

    package init(run: Command, summarize: Command?, env: [String: String], timeoutMilliseconds: Int?,
                width: Int, pacing: Pacing, input: InputFormat, vars: [String: String], outputCap: Int,
                folder: String? = nil, shell: [String]? = nil, stopGraceMilliseconds: Int? = nil,
                expect: ReportExpectation? = nil, prompt: String? = nil, timeoutPercent: Int? = nil,
                medianMilliseconds: Int? = nil) {
        self.timeoutPercent = timeoutPercent
        self.medianMilliseconds = medianMilliseconds
        self.prompt = prompt
        self.expect = expect
        self.run = run
        self.summarize = summarize
        self.env = env
        self.timeoutMilliseconds = timeoutMilliseconds
        self.width = width
        self.pacing = pacing
        self.input = input
        self.vars = vars
        self.outputCap = outputCap
        self.folder = folder
        self.shell = shell
        self.stopGraceMilliseconds = stopGraceMilliseconds
    }

}
