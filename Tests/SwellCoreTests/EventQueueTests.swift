import Testing
@testable import SwellCore

@Suite struct EventQueueTests {
    @Test func handsOutEverythingPendingAsOneBatch() async {
        let queue = EventQueue<Int>()
        for i in 0..<5 { queue.push(i) }
        #expect(await queue.next() == [0, 1, 2, 3, 4])
    }

    @Test func aWaitingConsumerIsWokenByAPush() async {
        let queue = EventQueue<Int>()
        async let batch = queue.next()
        queue.push(42)
        #expect(await batch == [42])
    }

    @Test func finishEndsTheQueueAfterWhatIsLeft() async {
        let queue = EventQueue<Int>()
        queue.push(1)
        queue.finish()
        #expect(await queue.next() == [1])
        #expect(await queue.next() == nil)
    }
}
