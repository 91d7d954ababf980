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
              scan       one task per output line of inventory (counted at run time), width 10, rolling, summarized, synthesized; needs inventory
            sinks: dirs, scan

            """)
    }
}
