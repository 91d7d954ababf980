import Synchronization
import Testing
import SwellTestSupport

/// The tests' wait: a stall of the whole process does not use up its deadline.
@Suite struct EventuallyTests {
    @Test func aStallLongerThanTheWaitStillLeavesTimeToCheck() async {
        // The first check's sleep oversleeps by 1 s, as when the test process got no CPU; the
        // condition needs five more checks after it, which a 200 ms wait alone would not give.
        let checks = Mutex(0)
        let stalled = Mutex(false)
        let held = await eventually(.milliseconds(200), stall: .milliseconds(300), sleep: { step in
            let first = stalled.withLock { was in defer { was = true }; return !was }
            try? await Task.sleep(for: first ? .seconds(1) : step)
        }) {
            checks.withLock { $0 += 1; return $0 > 5 }
        }
        #expect(held)
    }

    @Test func aConditionThatNeverHoldsIsFalseAtTheEnd() async {
        let checks = Mutex(0)
        #expect(await eventually(.milliseconds(100)) { checks.withLock { $0 += 1 }; return false } == false)
        #expect(checks.withLock { $0 } > 1)
    }
}
