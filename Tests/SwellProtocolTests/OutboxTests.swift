import Foundation
import Testing
@testable import SwellProtocol

@Suite struct OutboxTests {
    @Test func keepsWhatIsUnacknowledgedAndResendsOldestFirst() {
        var outbox = Outbox<String>()
        let clock = ContinuousClock()
        let start = clock.now
        outbox.add(id: 1, key: "a", frames: [Data("1".utf8)], now: start)
        outbox.add(id: 2, key: "b", frames: [Data("2".utf8)], now: start + .seconds(1))
        outbox.add(id: 3, key: "a", frames: [Data("3".utf8)], now: start + .seconds(2))
        #expect(outbox.acknowledge([2, 99]) == 1)
        let due = outbox.takeForResend(olderThan: start + .milliseconds(1500), now: start + .seconds(3))
        #expect(due.map(\.key) == ["a"])
        #expect(due.first?.sends == 2)
        #expect(outbox.takeForResend(olderThan: nil, now: start + .seconds(4)).map { $0.frames[0] } == [Data("1".utf8), Data("3".utf8)])
        outbox.remove { $0 == "a" }
        #expect(outbox.isEmpty)
    }
}
