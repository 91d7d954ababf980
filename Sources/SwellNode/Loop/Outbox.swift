import SwellProtocol

/// Messages sent and not yet acknowledged, resent until they are.
///
/// Keyed by message id; receivers drop duplicates, so resending is always safe.
struct Outbox<Key: Hashable & Sendable>: Sendable {
    struct Entry: Sendable {
        var key: Key
        var message: Message
        var sentAt: ContinuousClock.Instant
        var sends: Int
    }

    private var entries: [UInt64: Entry] = [:]
    private var order: [UInt64] = []

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    /// Remembers a message just sent.
    mutating func add(_ message: Message, key: Key, now: ContinuousClock.Instant) {
        if entries[message.id] == nil { order.append(message.id) }
        entries[message.id] = Entry(key: key, message: message, sentAt: now, sends: 1)
    }

    /// Forgets acknowledged messages; returns how many were known.
    @discardableResult
    mutating func acknowledge(_ ids: [UInt64]) -> Int {
        var known = 0
        for id in ids where entries.removeValue(forKey: id) != nil { known += 1 }
        if order.count > 64 && order.count > 2 * entries.count { order.removeAll { entries[$0] == nil } }
        return known
    }

    /// Messages sent before `cutoff` (or all of them when nil), oldest first, marked as sent
    /// again at `now`.
    mutating func takeForResend(olderThan cutoff: ContinuousClock.Instant?, now: ContinuousClock.Instant) -> [Entry] {
        var due: [Entry] = []
        for id in order {
            guard var entry = entries[id] else { continue }
            if let cutoff, entry.sentAt > cutoff { continue }
            entry.sentAt = now
            entry.sends += 1
            entries[id] = entry
            due.append(entry)
        }
        return due
    }

    var keys: [Key] { order.compactMap { entries[$0]?.key } }
}
