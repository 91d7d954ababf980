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
        var ends: [Double] = []
        var workEnds: [Double] = []
        var workFirst = 0
        for parts in stride(from: 4, through: 1, by: -1) {
            let planned = estimates.balancedCount(from: first, parts: parts, slots: 10, limit: 1_000)
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
        #expect(estimates.balancedCount(from: 0, parts: 4, slots: 10, limit: 1_000) == nil, "30,000 scope-slots")
        #expect(estimates.balancedCount(from: 0, parts: 2, slots: 1, limit: 1_000) == nil, "more than 2 shares of 1,000")
        #expect(estimates.balancedCount(from: 0, parts: 3, slots: 1, limit: 1_000) == 1_000)
        #expect(estimates.balancedCount(from: 2_500, parts: 1, slots: 10, limit: 1_000) == 500)
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

    @Test func sharesWaitForTheJournalsAnswer() throws {
        var h = SchedulerHarness()
        h.answersDurations = false
        h.join("n1")
        let submitted = h.submit(itemsPlan(5))
        let run = try #require(submitted)
        #expect(h.assigns(h.take("n1")).isEmpty, "no share before the durations are looked up")
        let asked = h.queries.compactMap { if case .durations(let r, let s, let p) = $0 { "\(r) \(s) \(p)" } else { nil } }
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
