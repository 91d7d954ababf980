import Synchronization

/// Set once SIGINT or SIGTERM arrives: the first of them.
final class InterruptFlag: Sendable {
    private let signal = Mutex<RunFollower.Input?>(nil)
    func set(_ input: RunFollower.Input) { signal.withLock { $0 = $0 ?? input } }
    var input: RunFollower.Input? { signal.withLock { $0 } }
}
