package import Foundation

/// One child process to run: what, where, with what input and limits.
package struct TaskExecution: Sendable, Equatable {
    package var argv: [String]
    /// Added to the node's own environment.
    package var environment: [String: String]
    package var workingDirectory: String
    package var stdin: Data
    package var timeout: Duration?
    /// Bytes of stdout kept; the rest is counted and cut with a marker.
    package var outputCap: Int
    /// Bytes of stderr kept, from the end.
    package var stderrTail: Int
    /// Why the node will not run this command (its --allow list, its --workdir); nil to run it.
    package var refusal: String?

    package init(argv: [String], environment: [String: String], workingDirectory: String, stdin: Data,
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
