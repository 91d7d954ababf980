import Synchronization

/// A boolean set from one task and read from another.
final class MutexFlag: Sendable {
    private let flag = Mutex(false)
    func set() { flag.withLock { $0 = true } }
    var value: Bool { flag.withLock { $0 } }
}
