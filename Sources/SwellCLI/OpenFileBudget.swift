import Foundation
import SwellCore

/// Whether this process may open the descriptors its slots need, checked before a node starts:
/// a node short of them would start its tasks and see some fail with "Too many open files".
///
/// A running task holds up to four (its stdout and stderr pipes, a pidfd, its stdin pipe); the
/// process itself (sockets, the journal, its event descriptors) keeps under ``reserve``. The
/// soft limit has already been raised to the hard one (``CommandMain``).
enum OpenFileBudget {
    static let perTask = 4
    static let reserve = 64

    static func needed(slots: Int) -> Int { reserve + perTask * slots }

    /// What to say when `slots` do not fit in the open-file limit; nil when they do. `given`:
    /// the user asked for them, else they are the default.
    static func problem(slots: Int, given: Bool = true) -> String? {
        guard let allowed = OpenFileLimit.current() else { return nil }
        let needed = needed(slots: slots)
        guard needed > allowed else { return nil }
        let fits = (allowed - reserve) / perTask
        let advice = fits >= 1 ? "use --slots \(fits) at most, or raise" : "raise"
        let asked = given ? "--slots \(slots) needs" : "\(slots) slots (the default of --slots) need"
        return "\(asked) about \(needed) open files (\(perTask) for each running task, \(reserve) for the process), "
            + "and this process may open \(allowed) (its hard limit, ulimit -Hn): \(advice) the limit "
            + "(\(OpenFileLimit.howToRaise))"
    }
}
