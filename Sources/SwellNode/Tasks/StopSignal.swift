import Synchronization

/// A flag a running task's supervisor checks: set it to stop the task's process group.
final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    init() {}
    func stop() { flag.store(true, ordering: .relaxed) }
    var isStopped: Bool { flag.load(ordering: .relaxed) }
}
