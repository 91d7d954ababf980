import Synchronization

/// A many-producer, one-consumer queue that hands the consumer everything pending at once,
/// so that an event loop can handle a burst as one batch (one journal transaction, one pass).
package final class EventQueue<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var waiter: CheckedContinuation<[Element]?, Never>?
        var finished = false
    }

    private let state = Mutex(State())

    package init() {}

    /// Adds an event; never blocks.
    package func push(_ element: Element) {
        let waiter = state.withLock { state -> CheckedContinuation<[Element]?, Never>? in
            guard !state.finished else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.items.append(element)
            return nil
        }
        waiter?.resume(returning: [element])
    }

    /// Events pushed and not yet handed out.
    package var count: Int { state.withLock { $0.items.count } }

    /// No more events: `next()` returns what is left, then nil.
    package func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<[Element]?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Every pending event, waiting for at least one; nil once finished and drained, or when
    /// the calling task is cancelled.
    package func next() async -> [Element]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[Element]?, Never>) in
                let ready = state.withLock { state -> [Element]?? in
                    if !state.items.isEmpty {
                        defer { state.items.removeAll(keepingCapacity: true) }
                        return .some(state.items)
                    }
                    if state.finished { return .some(nil) }
                    state.waiter = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<[Element]?, Never>? in
                state.finished = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }
}
