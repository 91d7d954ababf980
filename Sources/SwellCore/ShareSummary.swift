package import Foundation

/// The summary of one share: the stage's `summarize` run over the share's reports.
package struct ShareSummary: Sendable, Codable, Hashable {
    package var run: String
    package var stage: String
    /// Position of the share in the stage's share order (0-based).
    package var share: Int
    /// First scope index of the share and how many scopes it has.
    package var first: Int
    package var count: Int
    package var firstScope: String
    package var lastScope: String
    package var node: String
    /// The exit status of `summarize`; nil if a signal ended it.
    package var exitCode: Int32?
    package var error: String?
    package var output: Data

    package init(run: String, stage: String, share: Int, first: Int, count: Int, firstScope: String,
                lastScope: String, node: String, exitCode: Int32?, error: String?, output: Data) {
        self.run = run
        self.stage = stage
        self.share = share
        self.first = first
        self.count = count
        self.firstScope = firstScope
        self.lastScope = lastScope
        self.node = node
        self.exitCode = exitCode
        self.error = error
        self.output = output
    }

    package var succeeded: Bool { exitCode == 0 && error == nil }
}
