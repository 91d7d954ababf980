import Foundation
import Testing
@testable import SwellCoordinator
@testable import SwellCore
@testable import SwellProtocol

/// The coordinator's leases of named limits, driven through the scheduler.
@Suite struct LeaseTests {
    static let plan = """
        name: agents
        limits: { api: { concurrent: 2 } }
        stages:
          - id: review
            partition: { items: [a, b, c, d, e] }
            run: agent {scope}
            uses: [api]
            stop-grace: 1s
            rate-limit: { exit-codes: [75], backoff: 10s }
        """

    static func grants(_ messages: [Message]) -> [LeaseRef] {
        messages.flatMap { message -> [LeaseRef] in if case .lease(let grant) = message { grant.tasks } else { [] } }
    }

    /// Two nodes, the plan submitted, and every task of each share asking for its lease.
    /// The node whose share holds task `index`, and that share.
    static func holder(of index: Int, in shares: [(node: String, assign: Assign)]) -> (String, Assign) {
        let found = shares.first { $0.assign.tasks.contains { $0.index == index } }!
        return (found.node, found.assign)
    }

    static func started() -> (SchedulerHarness, [(node: String, assign: Assign)]) {
        var h = SchedulerHarness()
        h.join("n1")
        h.join("n2")
        _ = h.submit(plan)
        var shares: [(node: String, assign: Assign)] = []
        for node in ["n1", "n2"] {
            for assign in h.assigns(h.take(node)) {
                shares.append((node, assign))
                #expect(assign.spec.leased == true)
                let refs = assign.tasks.map { LeaseRef(run: assign.run, stage: assign.stage, index: $0.index, attempt: $0.attempt) }
                h.send(node, .leaseRequest(LeaseList(id: h.nextID(), tasks: refs)))
            }
        }
        return (h, shares)
    }

    @Test func leasesAreGrantedUpToTheLimitAcrossNodesAndComeBackWithTheReport() throws {
        var (h, shares) = Self.started()
        let granted = Self.grants(h.take("n1")) + Self.grants(h.take("n2"))
        #expect(granted.count == 2)
        // 4 of the 5 tasks are on nodes (the cap of 2, and one per node): 2 wait for a lease.
        #expect(h.scheduler.leases.queue.count == 2)
        // Asking again for a granted task gets the grant again; a task already queued is not queued twice.
        let first = try #require(granted.first)
        let (holder, assign) = Self.holder(of: first.index, in: shares)
        h.send(holder, .leaseRequest(LeaseList(id: h.nextID(), tasks: [first])))
        #expect(Self.grants(h.take(holder)) == [first])
        #expect(h.scheduler.leases.queue.count == 2)
        // The report ends the lease: the next task in line gets it.
        let task = assign.tasks.first { $0.index == first.index }!
        h.send(holder, .report(ReportMessage(id: h.nextID(), report: h.report(assign, task, on: holder, out: "ok\n"))))
        #expect((Self.grants(h.take("n1")) + Self.grants(h.take("n2"))).count == 1)
        #expect(h.scheduler.leases.held.count == 2)
    }

    @Test func aLostNodesLeasesWaitForItsLeaseHoldAndStopGraceBeforeTheyAreHandedOn() throws {
        var (h, _) = Self.started()
        let granted = Self.grants(h.take("n1")) + Self.grants(h.take("n2"))
        #expect(granted.count == 2)
        let holders = Set(h.scheduler.leases.held.values.map(\.node))
        // Only n2 keeps talking; n1 goes silent.
        let silent = holders.contains("n1") ? "n1" : "n2"
        let talking = silent == "n1" ? "n2" : "n1"
        let held = h.scheduler.leases.held.values.filter { $0.node == silent }.count
        #expect(held > 0)
        var handedOnAt: Double?
        while h.clock < 60, handedOnAt == nil {
            h.send(talking, .heartbeat(Heartbeat(id: h.nextID(), running: 1)))
            h.advance(0.5)
            if h.scheduler.leases.held.values.filter({ $0.node == silent }).count < held { handedOnAt = h.clock }
        }
        // Down after 3 s of silence; then the lease hold (30 s), the time a node takes to be
        // counted down (3 s) and the stop grace (1 s) with a second to spare.
        let at = try #require(handedOnAt)
        #expect(at >= 3 + 30 + 1 + 1, "handed on after \(at) s")
        #expect(at < 3 + 30 + 1 + 1 + 2, "handed on after \(at) s")
    }

    @Test func aRateLimitedAttemptPausesTheLimitAndWaitsWithoutUsingARetry() throws {
        var (h, shares) = Self.started()
        let granted = Self.grants(h.take("n1")) + Self.grants(h.take("n2"))
        let first = try #require(granted.first)
        let (holder, assign) = Self.holder(of: first.index, in: shares)
        let task = assign.tasks.first { $0.index == first.index }!
        #expect(task.waitsLeft == 20)
        var report = h.report(assign, task, on: holder, out: "", exit: 75)
        report.error = .rateLimited(retryAfter: nil)
        h.send(holder, .report(ReportMessage(id: h.nextID(), report: report)))
        // The lease is back, but the limit is paused: nothing is granted for 10 s at least.
        #expect(h.scheduler.leases.held.count == 1)
        #expect(h.scheduler.leases.shared["api"]?.pausedUntil != nil)
        // `swell status` shows the pause on the shared row and on the run's own.
        let rows = h.scheduler.leases.status(at: h.now.monotonic)
        #expect(rows.count == 2 && rows.allSatisfy { $0.pausedUntil != nil }, "\(rows)")
        var grantedAfter: Double?
        while h.clock < 20, grantedAfter == nil {
            h.send("n1", .heartbeat(Heartbeat(id: h.nextID(), running: 1)))
            h.send("n2", .heartbeat(Heartbeat(id: h.nextID(), running: 1)))
            h.advance(0.5)
            if !(Self.grants(h.take("n1")) + Self.grants(h.take("n2"))).isEmpty { grantedAfter = h.clock }
        }
        let after = try #require(grantedAfter)
        #expect(after >= 10 && after <= 12.6, "granted after \(after) s")
        // The task runs again later as a retry, with its retries untouched.
        let state = h.scheduler.runs.values.first!.stages[0].tasks[first.index]
        #expect(state.failures == 0)
        #expect(state.waits == 1)
    }

    @Test func aLimitWithNoNumbersAnywhereIsSaidToLimitNothing() throws {
        let plan = "name: open\nlimits: { claude: {} }\nstages:\n  - id: a\n    run: agent\n    uses: [claude]\n"
        func notices(_ settings: CoordinatorSettings) -> [String] {
            var h = SchedulerHarness(settings: settings)
            h.join("n1")
            h.send("client", .hello(Hello(id: h.nextID(), role: .client, name: "c", incarnation: "c1")))
            h.send("client", .submit(Submit(id: h.nextID(), plan: plan, file: "plan.yaml", overrides: [], scopes: [:], taskEvents: false)))
            return h.take("client").compactMap { message -> String? in
                if case .event(let event) = message, event.kind == .notice { event.message } else { nil }
            }
        }
        #expect(notices(CoordinatorSettings()).contains { $0.contains("limit claude has no numbers") })
        var limited = CoordinatorSettings()
        limited.limits = ["claude": LimitRule(concurrent: 2)]
        #expect(notices(limited).isEmpty)
    }

    @Test func aStageUnderALimitHoldsNoMoreSlotsThanItsCapAndOnePerNode() throws {
        var h = SchedulerHarness()
        for node in ["n1", "n2", "n3"] { h.join(node) }
        let items = (0..<40).map { "s\($0)" }.joined(separator: ", ")
        _ = h.submit("name: hog\nlimits: { x: { concurrent: 1 } }\nstages:\n  - id: a\n    partition: { items: [\(items)] }\n    run: agent\n    uses: [x]\n")
        var assigned = ["n1", "n2", "n3"].flatMap { h.assigns(h.take($0)) }
        #expect(assigned.reduce(0) { $0 + $1.tasks.count } == 4, "\(assigned.map(\.tasks.count))")
        // Another run's stage without a limit gets the slots that are left.
        _ = h.submit("name: plain\nstages:\n  - id: b\n    partition: { items: [p1, p2, p3] }\n    run: echo\n")
        assigned = ["n1", "n2", "n3"].flatMap { h.assigns(h.take($0)) }
        #expect(assigned.filter { $0.stage == "b" }.reduce(0) { $0 + $1.tasks.count } == 3)
    }

    @Test func aRunsClientsHearThatANodeWithItsWorkIsDown() throws {
        var h = SchedulerHarness()
        h.join("n1")
        h.join("n2")
        submitTwoSleeps(&h)
        let holders = ["n1", "n2"].filter { !h.assigns(h.take($0)).isEmpty }
        let silent = try #require(holders.first)
        let talking = silent == "n1" ? "n2" : "n1"
        h.send(silent, .heartbeat(Heartbeat(id: h.nextID(), running: 1)))
        _ = h.take("client")
        let said = firstNotices(&h, whileBeating: talking)
        #expect(said == ["node \(silent) is down: its unfinished work goes to other nodes"])
        // `swell status` does not show it running what it last said it ran: that went elsewhere.
        let rows = h.scheduler.status(replyTo: 1, h.now).nodes
        #expect(rows.first { $0.name == silent }.map { ($0.state, $0.running) } ?? (.up, -1) == (.down, 0), "\(rows)")
        #expect(rows.first { $0.name == talking }?.running == 1)
    }

    @Test func aRunsClientsHearThatTheWorkOfTheOnlyNodeWaitsForAnother() throws {
        var h = SchedulerHarness()
        h.join("n1")
        submitTwoSleeps(&h)
        #expect(!h.assigns(h.take("n1")).isEmpty)
        _ = h.take("client")
        let said = firstNotices(&h)
        #expect(said == ["node n1 is down: its unfinished work waits for a node to join (no other node is up)"])
        // The next node to join is news to the run; the one after it is not.
        h.join("n2")
        let joined = notices(&h)
        #expect(joined == ["node n2 joined: the run goes on"], "\(joined)")
        h.join("n3")
        #expect(notices(&h).isEmpty)
    }

    @Test func aNodeReplacedByANewProcessOfItsNameIsNotSaidToLeaveNoNodeUp() throws {
        var h = SchedulerHarness()
        h.join("n1")
        submitTwoSleeps(&h)
        #expect(!h.assigns(h.take("n1")).isEmpty)
        _ = h.take("client")
        // Killed and started again at once: silent for a moment (suspect), then a new process.
        h.advance(2)
        h.join("n1", incarnation: "n1-2")
        let said = notices(&h)
        #expect(said == ["node n1 was replaced by a new process of that name: its unfinished work goes back to the pool"], "\(said)")
        #expect(!h.assigns(h.take("n1")).isEmpty)
    }

    /// A client that submits a run of two long sleeps.
    private func submitTwoSleeps(_ h: inout SchedulerHarness) {
        h.send("client", .hello(Hello(id: h.nextID(), role: .client, name: "c", incarnation: "c1")))
        h.send("client", .submit(Submit(id: h.nextID(), plan: "name: p\nstages:\n  - id: a\n    partition: { items: [x, y] }\n    run: sleep 9\n",
                                        file: "plan.yaml", overrides: [], scopes: [:], taskEvents: false)))
    }

    /// The first notices the client gets as the clock goes on (for at most 10 s), `node` sending
    /// heartbeats meanwhile.
    private func firstNotices(_ h: inout SchedulerHarness, whileBeating node: String? = nil) -> [String] {
        var said: [String] = []
        while h.clock < 10, said.isEmpty {
            if let node { h.send(node, .heartbeat(Heartbeat(id: h.nextID(), running: 1))) }
            h.advance(0.5)
            said = notices(&h)
        }
        return said
    }

    /// The notices the client got since it was last looked at.
    private func notices(_ h: inout SchedulerHarness) -> [String] {
        h.take("client").compactMap { if case .event(let e) = $0, e.kind == .notice { e.message } else { nil } }
    }
}
