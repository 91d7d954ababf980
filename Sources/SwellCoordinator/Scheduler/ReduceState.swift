import Foundation
import SwellCore

/// The stage's synthesis or tree reduction: one task over the share summaries.
struct ReduceState: Sendable {
    enum Status: Sendable, Equatable {
        case pending
        case assigned
        case done
    }

    var command: Command
    var stdin: Data
    /// Its input is made once the stage's tasks and shares are all done again: a run taken up
    /// again (`--retry-failed`) runs some of them before the reduction reads their outputs.
    var inputPending = false
    var status = Status.pending
    var attempt = 0
    var failures = 0
    var node: String?
    var report: Report?
}
