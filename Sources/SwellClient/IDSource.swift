import Synchronization

/// Message ids for one sender.
final class IDSource: Sendable {
    private let counter = Mutex<UInt64>(0)
    func next() -> UInt64 { counter.withLock { $0 += 1; return $0 } }
}

/// A boolean set from one task and read from another.
final class MutexFlag: Sendable {
    private let flag = Mutex(false)
    func set() { flag.withLock { $0 = true } }
    var value: Bool { flag.withLock { $0 } }
}
