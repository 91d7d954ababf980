import SwellProtocol

/// Messages sent and not yet acknowledged, resent until they are.
///
/// Keyed by message id; receivers drop duplicates, so resending is always safe. A message is
/// resent after a delay that doubles with each resend (up to ``longestDelay``), so that a
/// coordinator that is only slow to acknowledge is not flooded with copies; every message goes
/// again at once after a (re-)join, when earlier copies may have been lost.
struct Outbox<Key: Hashable & Sendable>: Sendable {
    struct Entry: Sendable {
        var key: Key
        var message: Message
        var sentAt: ContinuousClock.Instant
        var sends: Int
        /// When it goes again if still unacknowledged; nil until the first resend is planned.
        var due: ContinuousClock.Instant?
    }

    /// The longest wait between two resends of one message.
    static var longestDelay: Duration { .seconds(30) }

    private var entries: [UInt64: Entry] = [:]
    private var order: [UInt64] = []
    /// Output bytes the kept messages carry.
    private(set) var bytes = 0

    var count: Int { entries.count }

    /// The output a message carries: a report's stdout and stderr, a summary's output.
    static func size(of message: Message) -> Int {
        switch message {
        case .report(let m): m.report.stdout.count + m.report.stderrTail.count
        case .summary(let m): m.summary.output.count
        default: 0
        }
    }
    var isEmpty: Bool { entries.isEmpty }

    /// Remembers a message just sent.
    mutating func add(_ message: Message, key: Key, now: ContinuousClock.Instant) {
        if let old = entries[message.id] {
            bytes -= Self.size(of: old.message)
        } else {
            order.append(message.id)
        }
        entries[message.id] = Entry(key: key, message: message, sentAt: now, sends: 1)
        bytes += Self.size(of: message)
    }

    /// Forgets acknowledged messages; returns how many were known.
    @discardableResult
    mutating func acknowledge(_ ids: [UInt64]) -> Int {
        var known = 0
        for id in ids {
            guard let entry = entries.removeValue(forKey: id) else { continue }
            bytes -= Self.size(of: entry.message)
            known += 1
        }
        if order.count > 64 && order.count > 2 * entries.count { order.removeAll { entries[$0] == nil } }
        return known
    }

    /// Messages whose resend is due, oldest first, marked as sent again at `now`. A message is
    /// first resent `first` after it was sent, then after twice as long each time.
    mutating func takeDue(now: ContinuousClock.Instant, first: Duration) -> [Entry] {
        take(now: now) { entry in (entry.due ?? entry.sentAt + first) <= now }
    }

    /// Every message, oldest first, marked as sent again at `now` (after a WELCOME).
    mutating func takeAll(now: ContinuousClock.Instant) -> [Entry] {
        take(now: now) { _ in true }
    }

    /// The sender stood still for `gap`: nothing is overdue because of it.
    mutating func postpone(by gap: Duration) {
        for id in order where entries[id] != nil {
            entries[id]!.sentAt += gap
            entries[id]!.due = entries[id]!.due.map { $0 + gap }
        }
    }

    private mutating func take(now: ContinuousClock.Instant, where due: (Entry) -> Bool) -> [Entry] {
        var taken: [Entry] = []
        for id in order {
            guard var entry = entries[id], due(entry) else { continue }
            let waited = now - entry.sentAt
            entry.sentAt = now
            entry.sends += 1
            entry.due = now + min(Self.longestDelay, max(waited * 2, .seconds(1)))
            entries[id] = entry
            taken.append(entry)
        }
        return taken
    }

    var keys: [Key] { order.compactMap { entries[$0]?.key } }
}
