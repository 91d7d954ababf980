import Foundation
import Testing
@testable import SwellNode
@testable import SwellProtocol

@Suite struct OutboxTests {
    func leave(_ id: UInt64) -> Message { .leave(Leave(id: id, reason: "\(id)")) }

    @Test func keepsWhatIsUnacknowledgedAndResendsOldestFirst() {
        var outbox = Outbox<String>()
        let clock = ContinuousClock()
        let start = clock.now
        outbox.add(leave(1), key: "a", now: start)
        outbox.add(leave(2), key: "b", now: start + .seconds(1))
        outbox.add(leave(3), key: "a", now: start + .seconds(2))
        #expect(outbox.acknowledge([2, 99]) == 1)
        let due = outbox.takeDue(now: start + .seconds(3), first: .milliseconds(1500))
        #expect(due.map(\.key) == ["a"])
        #expect(due.first?.sends == 2)
        #expect(outbox.takeAll(now: start + .seconds(4)).map(\.message.id) == [1, 3])
        #expect(outbox.acknowledge([1, 3]) == 2)
        #expect(outbox.isEmpty)
    }

    @Test func aMessageStillUnacknowledgedGoesAgainLessAndLessOften() {
        var outbox = Outbox<String>()
        let start = ContinuousClock.now
        outbox.add(leave(1), key: "a", now: start)
        var resends: [Int] = []
        for second in 1...120 where !outbox.takeDue(now: start + .seconds(second), first: .seconds(2)).isEmpty {
            resends.append(second)
        }
        // 2 s, then twice the last wait each time, never more than 30 s apart.
        #expect(resends == [2, 6, 14, 30, 60, 90, 120])
    }

    @Test func aStallOfTheSenderMakesNothingOverdue() {
        var outbox = Outbox<String>()
        let start = ContinuousClock.now
        outbox.add(leave(1), key: "a", now: start)
        outbox.postpone(by: .seconds(8))
        #expect(outbox.takeDue(now: start + .seconds(9), first: .seconds(2)).isEmpty)
        #expect(outbox.takeDue(now: start + .seconds(10), first: .seconds(2)).count == 1)
    }
}
