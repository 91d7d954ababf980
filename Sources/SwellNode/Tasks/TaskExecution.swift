import Foundation
import SwellCore

/// One child process to run: what, where, with what input and limits.
struct TaskExecution: Sendable, Equatable {
    var argv: [String]
    /// Added to the node's own environment.
    var environment: [String: String]
    var workingDirectory: String
    var stdin: Data
    /// A file the task reads as its stdin instead (an input fetched in pieces); nil for `stdin`.
    var stdinFile: String?
    /// What the report must look like (the stage's `expect`): a task that exits 0 with a stdout
    /// that does not meet it ends with the reason as its error.
    var expect: ReportExpectation?
    /// What a rate-limited attempt looks like (the stage's `rate-limit`): such a task ends with
    /// `rateLimited` as its error.
    var rateLimit: RateLimitRule?
    /// How to read what the task cost from its stdout (the stage's `cost`).
    var cost: CostRule?
    /// Bytes the task reads after its stdin (its prompt).
    var stdinSuffix = Data()
    var timeout: Duration?
    /// A timeout or stop sends SIGTERM, then SIGKILL this long after (zero: SIGKILL at once).
    var stopGrace: Duration = .zero
    /// Bytes of stdout kept; the rest is counted and cut with a marker.
    var outputCap: Int
    /// Bytes of stderr kept, from the end.
    var stderrTail: Int
    /// Why the node will not run this command (its --allow list, its --workdir); nil to run it.
    var refusal: String?
    /// A file written before the task starts and removed when it ends (a scope too large for
    /// the environment, named by SWELL_SCOPE_FILE).
    var scopeFile: ScopeFile?

    struct ScopeFile: Sendable, Equatable {
        var path: String
        var contents: Data
    }

    init(argv: [String], environment: [String: String], workingDirectory: String, stdin: Data,
                timeout: Duration?, outputCap: Int, stderrTail: Int = 64 << 10) {
        self.argv = argv
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.stdin = stdin
        self.timeout = timeout
        self.outputCap = outputCap
        self.stderrTail = stderrTail
    }
}
