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
        let due = outbox.takeForResend(olderThan: start + .milliseconds(1500), now: start + .seconds(3))
        #expect(due.map(\.key) == ["a"])
        #expect(due.first?.sends == 2)
        #expect(outbox.takeForResend(olderThan: nil, now: start + .seconds(4)).map(\.message.id) == [1, 3])
        #expect(outbox.acknowledge([1, 3]) == 2)
        #expect(outbox.isEmpty)
    }
}
