import Synchronization

/// Stops a running task: `stop()` runs the action its supervisor registered (killing the
/// task's process group) at once, or as soon as one is registered.
final class StopSignal: Sendable {
    private struct State {
        var stopped = false
        var straggler: String?
        var action: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())
    init() {}

    /// `straggler`: why the task is stopped as one (it then ends timed out, not cancelled).
    func stop(straggler: String? = nil) {
        let action = state.withLock { state -> (@Sendable () -> Void)? in
            guard !state.stopped else { return nil }
            state.stopped = true
            state.straggler = straggler
            defer { state.action = nil }
            return state.action
        }
        action?()
    }

    var isStopped: Bool { state.withLock { $0.stopped } }

    /// Why the task was stopped as a straggler, if it was.
    var stragglerReason: String? { state.withLock { $0.straggler } }

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
