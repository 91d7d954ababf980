import Synchronization

/// A flag a running task's supervisor checks: set it to stop the task's process group.
package final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    package init() {}
    package func stop() { flag.store(true, ordering: .relaxed) }
    package var isStopped: Bool { flag.load(ordering: .relaxed) }
}
