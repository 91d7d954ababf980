import Testing
@testable import SwellPlan

@Suite struct StageGraphTests {
    @Test func wavesFollowDependencies() throws {
        let plan = try PlanParser.parse("""
            name: w
            stages:
              - id: inventory
                run: ls
              - id: docs
                run: ls
              - id: scan
                needs: [inventory]
                partition: { lines-of: inventory }
                run: echo {scope}
              - id: types
                partition: { lines-of: docs }
                run: echo {scope}
              - id: report
                needs: [scan, types]
                run: cat
            """, file: "p.yaml")
        #expect(StageGraph.waves(of: plan) == [["inventory", "docs"], ["scan", "types"], ["report"]])
        #expect(plan.sinks.map(\.id) == ["report"])
    }

    @Test func independentStagesShareTheFirstWave() throws {
        let plan = try PlanParser.parse("name: w\nstages:\n  - id: a\n    run: x\n  - id: b\n    run: y\n", file: "p.yaml")
        #expect(StageGraph.waves(of: plan) == [["a", "b"]])
        #expect(plan.sinks.map(\.id) == ["a", "b"])
    }
}

@Suite struct DurationsTests {
    @Test func units() {
        #expect(Durations.parse("500ms") == .milliseconds(500))
        #expect(Durations.parse("30s") == .milliseconds(30_000))
        #expect(Durations.parse("5m") == .milliseconds(300_000))
        #expect(Durations.parse("1h") == .milliseconds(3_600_000))
        #expect(Durations.parse("1.5s") == .milliseconds(1_500))
        #expect(Durations.parse("5") == nil)
        #expect(Durations.parse("1.s") == nil)
        #expect(Durations.parse("1..5s") == nil)
    }
}
