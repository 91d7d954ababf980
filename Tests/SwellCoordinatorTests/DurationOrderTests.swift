import Foundation
import Testing
import SwellTestSupport
@testable import SwellCoordinator
@testable import SwellCore
@testable import SwellProtocol

/// Tasks of a plan that ran before start longest first, and shares are cut by their expected work.
@Suite struct DurationOrderTests {
    func refs(_ indices: [Int]) -> [TaskRef] { indices.map { TaskRef(index: $0, scope: "s\($0)", attempt: 1, retriesLeft: 0) } }

    @Test func scopesThatNeverRanGiveNoEstimates() {
        #expect(DurationEstimates(scopes: ["a", "b"], history: [:]) == nil)
        #expect(DurationEstimates(scopes: ["a", "b"], history: ["c": 1]) == nil)
        #expect(DurationEstimates(scopes: ["a", "b"], history: ["a": .nan]) == nil)
    }

    @Test func unknownScopesStartFirstThenTheLongestTiesInScopeOrder() throws {
        let scopes = ["s0", "s1", "s2", "s3", "s4", "s5"]
        let estimates = try #require(DurationEstimates(scopes: scopes, history: ["s0": 1, "s1": 3, "s3": 1, "s4": 0.5]))
        var tasks = refs([0, 1, 2, 3, 4, 5])
        estimates.order(&tasks)
        #expect(tasks.map(\.index) == [2, 5, 1, 0, 3, 4])
        // An unknown scope counts as the mean of the known ones in a share's work.
        #expect(estimates.expected(2) == 5.5 / 4)
        #expect(estimates.remaining == 5.5 + 2 * 5.5 / 4)
    }

    @Test func aShareByWorkTakesTheCountNearestIt() throws {
        let scopes = (0..<6).map { "s\($0)" }
        var estimates = try #require(DurationEstimates(scopes: scopes, history: Dictionary(uniqueKeysWithValues: zip(scopes, [1.0, 1, 1, 4, 1, 1]))))
        // 1 + 1 + 1 = 3 is nearer 3.5 than 7: the share stops before the long task.
        #expect(estimates.count(from: 0, work: 3.5, limit: 100) == 3)
        #expect(estimates.count(from: 0, work: 6, limit: 100) == 4)
        #expect(estimates.count(from: 0, work: 100, limit: 2) == 2)
        #expect(estimates.count(from: 3, work: 0.1, limit: 100) == 1)
        estimates.took(first: 0, count: 4)
        #expect(estimates.remaining == 2)
    }

    @Test func balancedSharesFinishTogether() throws {
        var random = SeededRandom(seed: 7)
        let scopes = (0..<200).map { "s\($0)" }
        let seconds = scopes.map { _ in 0.05 + Double(random.next() % 451) / 1000 }
        var estimates = try #require(DurationEstimates(scopes: scopes, history: Dictionary(uniqueKeysWithValues: zip(scopes, seconds))))
        let byWork = estimates
        var first = 0
        let start = ContinuousClock.now
        var ends: [Double] = []
        var workEnds: [Double] = []
        var workFirst = 0
        for parts in stride(from: 4, through: 1, by: -1) {
            // Cut in one batch, as the scheduler does: one moment for all.
            let planned = estimates.balancedCount(from: first, units: Array(repeating: 10, count: parts), limit: 1_000, barrier: false, at: start)
            let count = try #require(planned)
            ends.append(estimates.longestFirstEnd(first..<(first + count), slots: 10))
            estimates.took(first: first, count: count)
            first += count
            let workCount = parts == 1 ? 200 - workFirst : byWork.count(from: workFirst, work: (workFirst..<200).reduce(0) { $0 + seconds[$1] } / Double(parts), limit: 1_000)
            workEnds.append(byWork.longestFirstEnd(workFirst..<(workFirst + workCount), slots: 10))
            workFirst += workCount
        }
        #expect(first == 200, "the shares cover the stage")
        let ideal = seconds.reduce(0, +) / 40
        #expect(ends.max()! <= ideal * 1.06, "\(ends) against \(ideal)")
        #expect(ends.max()! <= workEnds.max()!, "\(ends) against cuts by work \(workEnds)")
    }

    @Test func aStageTooLargeToPlanIsCutByWork() throws {
        let scopes = (0..<3_000).map { "s\($0)" }
        var estimates = try #require(DurationEstimates(scopes: scopes, history: ["s0": 1]))
        #expect(estimates.balancedCount(from: 0, units: [10, 10, 10, 10], limit: 1_000, barrier: false, at: .now) == nil, "30,000 scope-slots")
        #expect(estimates.balancedCount(from: 0, units: [1, 1], limit: 1_000, barrier: false, at: .now) == nil, "more than 2 shares of 1,000")
        #expect(estimates.balancedCount(from: 0, units: [1, 1, 1], limit: 1_000, barrier: false, at: .now) == 1_000)
        #expect(estimates.balancedCount(from: 2_500, units: [10], limit: 1_000, barrier: false, at: .now) == 500)
    }

    @Test func aNodeThatFreesLateTakesWhatFitsInTheTimeLeft() throws {
        let scopes = (0..<14).map { "s\($0)" }
        var estimates = try #require(DurationEstimates(scopes: scopes, history: Dictionary(uniqueKeysWithValues: zip(scopes, (0..<14).map { [0.8, 0.1, 0.5, 0.05][$0 % 4] }))))
        let start = ContinuousClock.now
        // A 1-slot node is free at the start; nodes of 2 and 4 slots are busy with other work.
        let cut = estimates.balancedCount(from: 0, units: [1, 2, 4], limit: 1_000, barrier: false, at: start)
        let first = try #require(cut)
        estimates.took(first: 0, count: first)
        var onTime = estimates
        let onTimeCut = onTime.balancedCount(from: first, units: [2, 4], limit: 1_000, barrier: false, at: start)
        let atOnce = try #require(onTimeCut)
        // The 2-slot node frees 0.7 s later: it takes less, to end with the others.
        var late = estimates
        let lateCut = late.balancedCount(from: first, units: [2, 4], limit: 1_000, barrier: false, at: start + .milliseconds(700))
        let later = try #require(lateCut)
        #expect(later < atOnce, "\(later) against \(atOnce)")
        #expect(later >= 1)
        // Past the planned end, one scope at a time.
        var past = estimates
        #expect(past.balancedCount(from: first, units: [2, 4], limit: 1_000, barrier: false, at: start + .seconds(60)) == 1)
    }

    @Test func aNodesSlotsAreSharesOfAtMostAWidth() {
        #expect(DurationEstimates.units(of: 15, width: 10) == [10, 5])
        #expect(DurationEstimates.units(of: 3, width: 2) == [2, 1])
        #expect(DurationEstimates.units(of: 4, width: 10) == [4])
        #expect(DurationEstimates.units(of: 0, width: 10) == [])
    }

    @Test func aBarrierShareEndsWithTheLongestOfEachWave() throws {
        let scopes = (0..<6).map { "s\($0)" }
        let estimates = try #require(DurationEstimates(scopes: scopes, history: Dictionary(uniqueKeysWithValues: zip(scopes, [0.1, 0.5, 0.2, 0.9, 0.05, 0.4]))))
        // Longest first in waves of 2: (0.9, 0.5), (0.4, 0.2), (0.1, 0.05).
        #expect(abs(estimates.longestFirstEnd(0..<6, slots: 2, barrier: true) - 1.4) < 1e-9)
        #expect(abs(estimates.longestFirstEnd(0..<6, slots: 2) - 1.1) < 1e-9)
    }

    @Test func aPlanThatRanBeforeStartsItsLongestTasksFirstAndKeepsScopeOrderInItsOutput() async throws {
        var h = SchedulerHarness()
        h.durationHistory = ["fan": ["s0": 0.1, "s1": 3, "s2": 0.5, "s4": 2]]
        h.join("n1")
        #expect(h.submit(itemsPlan(5)) != nil)
        let assign = try #require(h.assigns(h.take("n1")).first)
        #expect(assign.count == 5)
        // s3 never ran: it goes first; then by how long each ran.
        #expect(assign.tasks.map(\.index) == [3, 1, 4, 2, 0])
        h.complete(assign, on: "n1")
        #expect(h.result()?.status == .succeeded)
        #expect(String(decoding: try await h.outputs().outputs[0], as: UTF8.self) == (0..<5).map { "s\($0)\n" }.joined())
    }

    @Test func withoutAnEarlierRunTasksGoInScopeOrderInGuidedShares() throws {
        var h = SchedulerHarness()
        h.join("n1")
        #expect(h.submit(itemsPlan(200)) != nil)
        let assign = try #require(h.assigns(h.take("n1")).first)
        #expect(assign.count == 100)
        #expect(assign.tasks.map(\.index) == Array(0..<100))
    }

    @Test func nodesGetSharesOfEqualExpectedWork() throws {
        var h = SchedulerHarness()
        // The first 20 scopes ran 10 s each, the other 180 1 s each: 380 s in all.
        h.durationHistory = ["fan": Dictionary(uniqueKeysWithValues: (0..<200).map { ("s\($0)", $0 < 20 ? 10.0 : 1.0) })]
        h.join("n1")
        h.join("n2")
        #expect(h.submit(itemsPlan(200)) != nil)
        let first = h.assigns(h.take("n1")) + h.assigns(h.take("n2"))
        #expect(first.map(\.count).reduce(0, +) == 200, "every scope is in a share at once")
        // Longest first on 10 slots, the 20 long ones end at 20 s, the 180 short ones at 18 s:
        // cut in halves by count, the first half would take 100 + 80 s, 28 s on 10 slots.
        #expect(first.map(\.count).sorted() == [20, 180], "\(first.map(\.count))")
        for a in first { #expect(a.tasks.map(\.index) == a.tasks.map(\.index).sorted(), "same durations: scope order") }
    }

    /// A plan of the items s0..s(N-1), width 4, that ran before with `seconds(index)` each.
    func knownPlan(_ h: inout SchedulerHarness, _ count: Int, name: String = "p", stage: String = "fan", width: Int = 4,
                   _ seconds: (Int) -> Double) -> String {
        h.durationHistory[stage] = Dictionary(uniqueKeysWithValues: (0..<count).map { ("s\($0)", seconds($0)) })
        let items = (0..<count).map { "s\($0)" }.joined(separator: ", ")
        return "name: \(name)\nwidth: \(width)\npacing: rolling\nstages:\n  - id: \(stage)\n    partition: { items: [\(items)] }\n    run: echo {scope}\n"
    }

    @Test func nodesGetSharesForTheirSlots() throws {
        var h = SchedulerHarness()
        h.join("n1", slots: 2)
        h.join("n2", slots: 4)
        h.join("n3", slots: 1)
        #expect(h.submit(knownPlan(&h, 14) { $0 == 13 ? 0.05 : 0.8 }) != nil)
        var ends: [String: Double] = [:]
        var counts: [String: Int] = [:]
        let estimates = try #require(DurationEstimates(scopes: (0..<14).map { "s\($0)" }, history: h.durationHistory["fan"]!))
        for (node, slots) in [("n1", 2), ("n2", 4), ("n3", 1)] {
            for a in h.assigns(h.take(node)) {
                counts[node, default: 0] += a.count
                ends[node] = max(ends[node] ?? 0, estimates.longestFirstEnd(a.first..<(a.first + a.count), slots: min(slots, 4)))
            }
        }
        #expect(counts.values.reduce(0, +) == 14)
        // 10.45 s of work on 7 slots: each node ends at 1.6 s, two rounds of 0.8 s.
        #expect(counts == ["n1": 4, "n2": 8, "n3": 2], "\(counts)")
        #expect(ends.values.allSatisfy { $0 <= 1.65 }, "\(ends)")
    }

    @Test func nodesBusyWithOtherWorkKeepTheirPartOfThePlan() throws {
        var h = SchedulerHarness()
        h.join("n1", slots: 2)
        h.join("n2", slots: 4)
        // Another run holds every slot of n1 and n2.
        #expect(h.submit("name: hog\nstages:\n  - id: hog\n    partition: { items: [h1, h2, h3, h4, h5, h6] }\n    run: sleep 9\n") != nil)
        let hogs = h.assigns(h.take("n1")) + h.assigns(h.take("n2"))
        #expect(hogs.map(\.count).reduce(0, +) == 6)
        h.join("n3", slots: 1)
        #expect(h.submit(knownPlan(&h, 14) { [0.8, 0.1, 0.5, 0.05][$0 % 4] }) != nil)
        let first = h.assigns(h.take("n3"))
        // n3 is the only node with a free slot: it takes its part of 7 slots, not the stage.
        #expect(first.count == 1)
        #expect((1...3).contains(first[0].count), "\(first.map(\.count))")
        // n1 frees its slots: it takes the next part.
        let onN1 = hogs.filter { a in a.tasks.contains { t in h.scheduler.runs[a.run]!.stages[0].tasks[t.index].node == "n1" } }
        for a in onN1 { h.complete(a, on: "n1") }
        let next = h.assigns(h.take("n1"))
        #expect(next.first?.first == first[0].count, "the next scopes, in a share of their own")
        #expect((next.first?.count ?? 0) < 14 - first[0].count, "n2's part is left for n2")
    }

    @Test func aNodeWithMoreSlotsThanTheWidthRunsSharesSideBySide() throws {
        var h = SchedulerHarness()
        h.join("n1", slots: 15)
        #expect(h.submit(knownPlan(&h, 30, width: 10) { 0.1 + Double($0 % 4) / 10 }) != nil)
        let shares = h.assigns(h.take("n1"))
        #expect(shares.count == 2, "\(shares.map(\.count))")
        #expect(shares.map(\.count).reduce(0, +) == 30)
        #expect(h.scheduler.nodes["n1"]!.free == 0, "every slot is taken")
    }

    @Test func sharesWaitForTheJournalsAnswer() throws {
        var h = SchedulerHarness()
        h.answersDurations = false
        h.join("n1")
        let submitted = h.submit(itemsPlan(5))
        let run = try #require(submitted)
        #expect(h.assigns(h.take("n1")).isEmpty, "no share before the durations are looked up")
        let asked = h.queries.compactMap { if case .durations(let r, let s, let p, _) = $0 { "\(r) \(s) \(p)" } else { nil } }
        #expect(asked == ["\(run) fan p"])
        var effects = Effects()
        h.scheduler.learnDurations(run, stage: "fan", ["s0": 1, "s4": 2], h.now, &effects)
        h.deliver(effects)
        #expect(h.assigns(h.take("n1")).first?.tasks.map(\.index) == [1, 2, 3, 4, 0])
    }

    @Test func aStageWhoseDurationsAreNeverAnsweredGoesOnInScopeOrder() throws {
        var h = SchedulerHarness()
        h.answersDurations = false
        h.join("n1")
        #expect(h.submit(itemsPlan(5)) != nil)
        h.advance(0.5)
        #expect(h.assigns(h.take("n1")).isEmpty)
        h.advance(0.6)
        #expect(h.assigns(h.take("n1")).first?.tasks.map(\.index) == [0, 1, 2, 3, 4])
    }

    @Test func tasksOfAboutOneLengthOrShortOnesKeepPulledShares() throws {
        for seconds in [[2.0, 2.5, 3.9], [0.001, 0.05, 0.09]] {
            var h = SchedulerHarness()
            h.durationHistory = ["fan": Dictionary(uniqueKeysWithValues: (0..<200).map { ("s\($0)", seconds[$0 % 3]) })]
            h.join("n1")
            #expect(h.submit(itemsPlan(200)) != nil)
            let assign = try #require(h.assigns(h.take("n1")).first)
            #expect(assign.count == 100, "guided, as without durations: \(seconds)")
            #expect(assign.tasks.prefix(3).map(\.index) == [2, 5, 8], "still longest first within the share")
        }
        var h = SchedulerHarness()
        h.durationHistory = ["fan": Dictionary(uniqueKeysWithValues: (0..<200).map { ("s\($0)", [0.05, 0.2, 0.5][$0 % 3]) })]
        h.join("n1")
        #expect(h.submit(itemsPlan(200)) != nil)
        #expect(h.assigns(h.take("n1")).first?.count == 200, "planned: one node takes the whole stage")
    }

    @Test func aStageInScopeOrderIsNotLookedUp() throws {
        var h = SchedulerHarness()
        h.durationHistory = ["fan": ["s0": 0.1, "s1": 3, "s2": 0.5]]
        h.join("n1")
        #expect(h.submit(itemsPlan(3, stageExtra: "    order: scope\n")) != nil)
        #expect(!h.queries.contains { if case .durations = $0 { true } else { false } })
        #expect(h.assigns(h.take("n1")).first?.tasks.map(\.index) == [0, 1, 2])
    }

    @Test func aSingleTaskStageAndAHugeStageAreNotLookedUp() throws {
        var h = SchedulerHarness()
        h.join("n1")
        #expect(h.submit("name: p\nstages:\n  - id: one\n    run: echo\n") != nil)
        #expect(h.submit(itemsPlan(DurationEstimates.largestStage + 1)) != nil)
        #expect(!h.queries.contains { if case .durations = $0 { true } else { false } })
    }
}
