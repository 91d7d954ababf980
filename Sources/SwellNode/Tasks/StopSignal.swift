import Synchronization

/// Stops a running task: `stop()` runs the action its supervisor registered (killing the
/// task's process group) at once, or as soon as one is registered.
final class StopSignal: Sendable {
    /// Why a task is stopped, when not because it was cancelled.
    enum Reason: Sendable, Equatable {
        /// It runs far longer than its stage's median: it ends timed out, retried as a failure.
        case straggler(String)
        /// Through no fault of its own (its node lost its lease): it ends `interrupted`, and runs
        /// again without counting as a failure.
        case interrupted(String)
    }

    private struct State {
        var stopped = false
        var reason: Reason?
        var action: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())
    init() {}

    /// `reason`: why, when the task is not simply cancelled.
    func stop(_ reason: Reason? = nil) {
        let action = state.withLock { state -> (@Sendable () -> Void)? in
            guard !state.stopped else { return nil }
            state.stopped = true
            state.reason = reason
            defer { state.action = nil }
            return state.action
        }
        action?()
    }

    var isStopped: Bool { state.withLock { $0.stopped } }

    /// Why the task was stopped, if not simply cancelled.
    var reason: Reason? { state.withLock { $0.reason } }

    /// Runs `action` when the task is stopped (now, if it already is); `nil` forgets it.
    func onStop(_ action: (@Sendable () -> Void)?) {
        let now = state.withLock { state -> Bool in
            if state.stopped { return true }
            state.action = action
            return false
        }
        if now { action?() }
    }
}
