import Synchronization

/// Counts inbound messages not yet taken by the consumer; the I/O thread stops reading a
/// socket whose consumer falls behind and resumes when it catches up.
final class InboundGate: Sendable {
    let limit: Int
    private let pending = Atomic<Int>(0)
    private let paused = Atomic<Bool>(false)

    init(limit: Int) { self.limit = max(1, limit) }

    /// Called by the I/O thread after yielding a message. Returns true when reading must pause.
    func delivered() -> Bool {
        let now = pending.add(1, ordering: .relaxed).newValue
        if now >= limit {
            paused.store(true, ordering: .sequentiallyConsistent)
            return true
        }
        return false
    }

    var isPaused: Bool { paused.load(ordering: .sequentiallyConsistent) }

    /// Messages handed to the consumer and not taken yet.
    var backlog: Int { pending.load(ordering: .relaxed) }

    /// Called by the consumer for each message taken. Returns true when the I/O thread must be
    /// woken to resume reading.
    func taken() -> Bool {
        let now = pending.subtract(1, ordering: .relaxed).newValue
        if now <= limit / 2, paused.load(ordering: .sequentiallyConsistent) {
            return paused.compareExchange(expected: true, desired: false, ordering: .sequentiallyConsistent).exchanged
        }
        return false
    }
}
