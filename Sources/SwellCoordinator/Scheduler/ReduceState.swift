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
    var status = Status.pending
    var attempt = 0
    var failures = 0
    var node: String?
    var report: Report?
}
