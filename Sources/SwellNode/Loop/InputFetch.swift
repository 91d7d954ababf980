import Foundation
import SwellCore
import SwellProtocol

/// An input too large for its ASSIGN, fetched from the coordinator one piece at a time into a
/// file of the node's, while the assignments that need it wait.
struct InputFetch: Sendable {
    let path: String
    /// Its length, as the ASSIGN said.
    let bytes: Int
    /// Bytes stored in the file so far.
    var stored = 0
    /// When the INPUT? still unanswered went out; nil when none is.
    var askedAt: ContinuousClock.Instant?
    /// A piece is being written to the file.
    var storing = false
    /// All of it is in the file (or the coordinator said it ended).
    var complete = false
    /// The input itself, when its file could not be written (a full disk): it is fetched again
    /// into memory.
    var inMemory: Data?
    /// Assignments that wait for it.
    var waiting: [Assign] = []
    /// Assignments that use it, waiting or running: the file goes when none is left.
    var users: Set<AssignmentID> = []

    init(path: String, bytes: Int) {
        self.path = path
        self.bytes = bytes
    }
}
