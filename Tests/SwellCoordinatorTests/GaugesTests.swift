import Foundation
import Testing
@testable import SwellCoordinator
@testable import SwellCore
@testable import SwellProtocol

/// What `--metrics` is set from: the scheduler's counts.
@Suite struct GaugesTests {
    @Test func theGaugesCountRunsTasksNodesAndSlots() {
        var h = SchedulerHarness()
        h.join("n1", slots: 2)
        h.join("n2", slots: 2)
        let run = h.submit(itemsPlan(8))
        #expect(run != nil)
        h.advance(0.1)
        var gauges = h.scheduler.gauges
        #expect(gauges.runs == [.running: 1])
        #expect(gauges.nodes == [.up: 2])
        #expect(gauges.slots == 4)
        #expect(gauges.slotsUsed == 4)
        // Two shares of 3: 4 tasks hold the slots, 2 wait in the shares, 2 in the pool.
        #expect(gauges.tasks["assigned"] == 6)
        #expect(gauges.tasks["waiting"] == 2)
        #expect(gauges.stages == [SchedulerGauges.Stage(run: run!, stage: "fan", queued: 4, running: 4)])

        // n2 is lost: its share goes to n1, which queues it beyond its two slots. Slots in use
        // stay within the slots there are.
        for _ in 0..<40 {
            h.advance(0.1)
            h.send("n1", .heartbeat(Heartbeat(id: h.nextID(), running: 2)))
        }
        gauges = h.scheduler.gauges
        #expect(gauges.nodes == [.up: 1, .down: 1])
        #expect(gauges.slots == 2)
        #expect(h.scheduler.nodes["n1"]!.used > 2, "the recovered share waits on n1")
        #expect(gauges.slotsUsed == 2)
        #expect(gauges.tasksRunning == 2)
    }
}
