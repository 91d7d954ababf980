import Testing
@testable import SwellCLI
@testable import SwellPlan

@Suite struct PlanSummaryTests {
    @Test func validatePrintsTheWavesWithTaskCounts() throws {
        let plan = try PlanParser.parse("""
            name: audit
            stages:
              - id: inventory
                run: ls
              - id: dirs
                partition: { directories: { root: src, depth: 1 } }
                run: du -s {scope}
                summarize: sort
              - id: scan
                needs: [inventory]
                partition: { lines-of: inventory }
                pacing: rolling
                order: scope
                run: grep x {scope}
                summarize: sort
                synthesize: cat
            """, file: "audit.yaml")
        #expect(PlanSummary.render(plan, scopes: ["dirs": ["src/a", "src/b"]]) == """
            plan audit (audit.yaml): 3 stages in 2 waves
            wave 1
              inventory  1 task
              dirs       2 tasks (directories of src at depth 1), width 10, barrier, summarized
            wave 2
              scan       one task per output line of inventory (counted at run time), width 10, rolling, in scope order, summarized, synthesized; needs inventory
            sinks: dirs, scan

            """)
    }

    @Test func controlCharactersInThePlansNamesAreShownNotObeyed() throws {
        let plan = try PlanParser.parse("""
            name: "audit\\u202E\\e[2J"
            stages:
              - id: dirs
                partition: { directories: { root: "src\\u0007", depth: 1 } }
                run: du -s {scope}
            """, file: "a\u{1B}]0;x.yaml")
        let shown = PlanSummary.render(plan, scopes: ["dirs": ["src\u{7}/a"]])
        #expect(!shown.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || $0.value == 0x202E })
        #expect(shown.hasPrefix("plan audit<U+202E>^[[2J (a^[]0;x.yaml): 1 stage in 1 wave\n"), "\(shown)")
        #expect(shown.contains("directories of src^G at depth 1"), "\(shown)")
    }

    @Test func validateSaysWhatRunsUnderLimitsAndBudgets() throws {
        let plan = try PlanParser.parse("""
            name: agents
            limits: { claude: { concurrent: 8, starts-per-minute: 30 }, shared: {} }
            budget: { cost: 5, task-seconds: 1h }
            stages:
              - id: review
                partition: { items: [a] }
                run: claude -p
                uses: [claude, shared]
                rate-limit: { exit-codes: [75] }
                cost: { json: total_cost_usd }
            """, file: "agents.yaml")
        #expect(PlanSummary.render(plan, scopes: [:]) == """
            plan agents (agents.yaml): 1 stage in 1 wave
            wave 1
              review  items (counted at run time), width 10, barrier; uses claude, shared; waits out rate limits; reads its cost
            sinks: review
            limit claude: 8 at once, 30 starts/min
            limit shared: numbers from the coordinator's --limit shared
            budget: cost 5, 3600 task-seconds

            """)
    }
}
