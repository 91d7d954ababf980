import Synchronization

/// Message ids for one sender.
final class IDSource: Sendable {
    private let counter = Mutex<UInt64>(0)
    func next() -> UInt64 { counter.withLock { $0 += 1; return $0 } }
}
