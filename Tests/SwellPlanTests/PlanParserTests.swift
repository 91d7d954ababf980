import Testing
@testable import SwellCore
@testable import SwellPlan

/// Parses `yaml` as `plan.yaml` and returns its diagnostics, or [] if it is valid.
func diagnostics(_ yaml: String, overrides: [VarOverride] = []) -> [String] {
    do {
        _ = try PlanParser.parse(yaml, file: "plan.yaml", overrides: overrides)
        return []
    } catch {
        return error.diagnostics.map(\.description)
    }
}

@Suite struct PlanParserTests {
    let valid = """
        name: audit
        width: 4
        pacing: rolling
        vars: { api: "oldAPI(" }
        stages:
          - id: inventory
            run: find Sources -type d | sort
          - id: scan
            needs: [inventory]
            partition: { lines-of: inventory }
            run: grep -rn {vars.api} {scope} || true
            timeout: 1.5s
            retries: 2
            summarize: sort
            synthesize: [sort, -u]
            input: markdown
            on-failure: continue
            labels: [linux, big]
            env: { LANG: C, TARGET: "{scope}" }
          - id: count
            needs: [scan]
            width: 2
            pacing: barrier
            run: wc -l
        """

    @Test func everyFieldIsRead() throws {
        let plan = try PlanParser.parse(valid, file: "plan.yaml")
        #expect(plan.name == "audit")
        #expect(plan.width == 4)
        #expect(plan.pacing == .rolling)
        #expect(plan.varValues == ["api": "oldAPI("])
        #expect(plan.stages.map(\.id) == ["inventory", "scan", "count"])
        let scan = plan.stages[1]
        #expect(scan.needs == ["inventory"])
        #expect(scan.partition == .linesOf("inventory"))
        #expect(scan.width == 4)
        #expect(scan.pacing == .rolling)
        #expect(scan.timeout == .milliseconds(1_500))
        #expect(scan.retries == 2)
        #expect(scan.summarize == .shell("sort"))
        #expect(scan.synthesize == .argv(["sort", "-u"]))
        #expect(scan.input == .markdown)
        #expect(scan.onFailure == .continue)
        #expect(scan.labels == ["linux", "big"])
        #expect(scan.env == ["LANG": "C", "TARGET": "{scope}"])
        let count = plan.stages[2]
        #expect(count.width == 2)
        #expect(count.pacing == .barrier)
        #expect(count.onFailure == .stop)
        #expect(count.input == .concat)
        #expect(plan.sinks.map(\.id) == ["count"])
        #expect(plan.text == valid)
    }

    @Test func orderIsThePlansForEveryStageUnlessTheStageSaysOtherwise() throws {
        let plan = try PlanParser.parse("""
            name: p
            order: scope
            stages:
              - id: a
                partition: { items: [x, y] }
                run: echo
              - id: b
                order: longest-first
                partition: { items: [x, y] }
                run: echo
            """, file: "plan.yaml")
        #expect(plan.stages.map(\.order) == [.scope, .longestFirst])
        #expect(try PlanParser.parse("name: p\nstages:\n  - id: a\n    run: echo\n", file: "plan.yaml").stages[0].order == .longestFirst)
        #expect(diagnostics("name: p\norder: fastest\nstages:\n  - id: a\n    order: 1\n    partition: { items: [x] }\n    run: echo\n") == [
            "plan.yaml:2:8: `order` must be one of: longest-first | scope",
            "plan.yaml:5:12: `order` must be one of: longest-first | scope",
        ])
        #expect(diagnostics("name: p\nstages:\n  - id: a\n    order: scope\n    run: echo\n") == [
            "plan.yaml:4:5: `order` needs a fan-out stage: add a `partition` to stage 'a' or remove `order`",
        ])
    }

    @Test func setOverridesAVar() throws {
        let plan = try PlanParser.parse(valid, file: "plan.yaml", overrides: [VarOverride(name: "api", value: "newAPI(")])
        #expect(plan.varValues["api"] == "newAPI(")
    }

    @Test func setOfAnUnknownVarIsAnError() {
        #expect(diagnostics(valid, overrides: [VarOverride(name: "apx", value: "1")]) == ["plan.yaml:4:1: --set apx: no var named 'apx'; the plan's vars are: api"])
    }

    // MARK: Invalid-plan classes of the plan format

    @Test func yamlSyntaxErrorsPointAtTheProblem() {
        let result = diagnostics("name: x\nstages:\n  - id: a\n    run: [unclosed\n")
        #expect(result.count == 1)
        #expect(result[0].hasPrefix("plan.yaml:5:1: YAML syntax error:"))
        let tabs = diagnostics("name: x\nstages:\n\t- id: a\n")
        #expect(tabs.first?.hasPrefix("plan.yaml:3:1: YAML syntax error:") == true)
    }

    @Test func duplicateYAMLKeysAreErrors() {
        let result = diagnostics("name: x\nname: y\nstages:\n  - id: a\n    run: true\n")
        #expect(result.count == 1)
        #expect(result[0].contains("duplicate key 'name'"))
        #expect(result[0].hasPrefix("plan.yaml:2:1: duplicate key 'name' in a mapping (first at line 1)"), "\(result)")
        // In a stage: where the key comes again, with where it came first.
        let stage = diagnostics("name: x\nstages:\n  - id: a\n    run: echo 1\n    timeout: 5s\n    run: echo 2\n")
        #expect(stage == ["plan.yaml:6:5: duplicate key 'run' in a mapping (first at line 4)"], "\(stage)")
        // A repeat written in a way not looked for is shown at the first place, never in the next stage.
        let odd = diagnostics("name: x\nstages:\n  - id: a\n    run: echo 1\n    run : echo 2\n  - run: echo 3\n    id: b\n")
        #expect(odd == ["plan.yaml:4:5: duplicate key 'run' in a mapping"], "\(odd)")
        // In a flow mapping the first place is what is known.
        let flow = diagnostics("name: x\nstages:\n  - { id: a, run: echo, id: b }\n")
        #expect(flow.first?.contains("duplicate key 'id' in a mapping") == true, "\(flow)")
    }

    @Test func unknownFieldsAreNamedWithASuggestion() {
        let result = diagnostics("""
            name: x
            stages:
              - id: a
                run: "true"
                partiton: { items: [a] }
              - id: b
                run: "true"
                partition: { item: [a] }
            colour: red
            """)
        #expect(result == [
            "plan.yaml:5:5: unknown field 'partiton' in a stage (did you mean 'partition'?)",
            "plan.yaml:8:18: unknown partition 'item'; use one of: directories, files, items, lines-of (did you mean 'items'?)",
            "plan.yaml:9:1: unknown field 'colour' in the plan",
        ])
    }

    @Test func duplicateStageIDs() {
        let result = diagnostics("name: x\nstages:\n  - id: a\n    run: 'true'\n  - id: a\n    run: 'false'\n")
        #expect(result == ["plan.yaml:5:5: duplicate stage id 'a' (first defined at line 3)"])
    }

    @Test func unknownNeeds() {
        let result = diagnostics("name: x\nstages:\n  - id: a\n    run: 'true'\n    needs: [b]\n")
        #expect(result == ["plan.yaml:5:5: stage 'a' needs unknown stage 'b'; known: a"])
    }

    @Test func cyclicNeeds() {
        let result = diagnostics("""
            name: x
            stages:
              - id: a
                needs: [c]
                run: 'true'
              - id: b
                needs: [a]
                run: 'true'
              - id: c
                needs: [b]
                run: 'true'
            """)
        #expect(result == ["plan.yaml:4:5: stages depend on each other in a cycle: a -> c -> b -> a"])
        #expect(diagnostics("name: x\nstages:\n  - id: a\n    needs: [a]\n    run: 'true'\n")
            == ["plan.yaml:4:5: stage 'a' needs itself (a cycle)"])
    }

    @Test func cyclesThroughLinesOfCount() {
        let result = diagnostics("""
            name: x
            stages:
              - id: a
                partition: { lines-of: b }
                run: 'true'
              - id: b
                needs: [a]
                run: 'true'
            """)
        #expect(result == ["plan.yaml:3:5: stages depend on each other in a cycle: a -> b -> a"])
    }

    @Test func overlappingScopes() {
        let result = diagnostics("""
            name: x
            stages:
              - id: a
                partition: { items: [src, lib, src/core] }
                run: 'true'
              - id: b
                partition:
                  items:
                    - one
                    - one
                run: 'true'
              - id: c
                partition: { items: [x, ./x] }
                run: 'true'
              - id: d
                partition: { items: [a/b, a] }
                run: 'true'
              - id: e
                partition: { items: [b, a/../b] }
                run: 'true'
            """)
        #expect(result == [
            "plan.yaml:4:36: scopes overlap: 'src' contains 'src/core'",
            "plan.yaml:10:11: duplicate item 'one': the scopes of a stage must be unique",
            "plan.yaml:13:29: scopes overlap: './x' is the same path as 'x'",
            "plan.yaml:16:31: scopes overlap: 'a' contains 'a/b'",
            "plan.yaml:19:29: scopes overlap: 'a/../b' is the same path as 'b'",
        ])
    }

    @Test func badDurations() {
        for bad in ["5", "5 s", "1d", "-1s", ".5s", "s", "0s", "1e3ms"] {
            let result = diagnostics("name: x\nstages:\n  - id: a\n    run: 'true'\n    timeout: \(bad)\n")
            #expect(result.count == 1, "\(bad)")
            #expect(result.first?.hasPrefix("plan.yaml:5:14: `timeout` must") == true, "\(bad): \(result)")
        }
    }

    @Test func widthOutOfRange() {
        #expect(diagnostics("name: x\nwidth: 0\nstages:\n  - id: a\n    run: 'true'\n")
            == ["plan.yaml:2:8: `width` must be a whole number from 1 to 100"])
        #expect(diagnostics("name: x\nstages:\n  - id: a\n    run: 'true'\n    width: 101\n")
            == ["plan.yaml:5:12: `width` must be a whole number from 1 to 100"])
        #expect(diagnostics("name: x\nstages:\n  - id: a\n    run: 'true'\n    width: ten\n")
            == ["plan.yaml:5:12: `width` must be a whole number from 1 to 100"])
    }

    // MARK: Other problems

    @Test func missingRequiredFields() {
        #expect(diagnostics("stages:\n  - id: a\n    run: 'true'\n") == ["plan.yaml:1:1: missing required field `name`"])
        #expect(diagnostics("name: x\n") == ["plan.yaml:1:1: missing required field `stages`"])
        #expect(diagnostics("name: x\nstages:\n  - run: 'true'\n") == ["plan.yaml:3:5: stage is missing required field `id`"])
        #expect(diagnostics("name: x\nstages:\n  - id: a\n") == ["plan.yaml:3:5: stage 'a' is missing required field `run`"])
        #expect(diagnostics("") == ["plan.yaml:1:1: the plan is empty; it needs at least `name` and `stages`"])
        #expect(diagnostics("- a\n") == ["plan.yaml:1:1: the plan must be a mapping with `name` and `stages`"])
    }

    @Test func valuesOfTheWrongKind() {
        let result = diagnostics("""
            name: x
            pacing: fast
            stages:
              - id: a
                run: { sh: x }
              - id: b c
                run: 'true'
                input: xml
                on-failure: retry
                retries: -1
                env: [A]
            """)
        #expect(result == [
            "plan.yaml:2:9: `pacing` must be one of: barrier | rolling",
            "plan.yaml:5:10: `run` must be a command string (run by /bin/sh -c) or a list of arguments",
            "plan.yaml:6:9: stage id 'b c' may only use letters, digits, `_`, `-` and `.`",
            "plan.yaml:8:12: `input` must be one of: concat | markdown | jsonl",
            "plan.yaml:9:17: `on-failure` must be one of: stop | continue",
            "plan.yaml:10:14: `retries` must be a whole number from 0 to 100",
            "plan.yaml:11:10: `env` must be a mapping of variable names to values",
        ])
    }

    @Test func shellIsAPlanDefaultAStageCanChange() throws {
        let plan = try PlanParser.parse("""
            name: x
            shell: [bash, -o, pipefail, -c]
            stages:
              - id: a
                run: 'true'
              - id: b
                shell: [/bin/sh, -c]
                run: 'true'
            """, file: "plan.yaml")
        #expect(plan.stages[0].shell == ["bash", "-o", "pipefail", "-c"])
        #expect(plan.stages[1].shell == ["/bin/sh", "-c"])
        #expect(plan.stages[0].run.argv(shell: plan.stages[0].shell) == ["bash", "-o", "pipefail", "-c", "true"])
        #expect(try PlanParser.parse("name: x\nstages: [{id: a, run: 'true'}]", file: "p").stages[0].shell == nil)
        #expect(diagnostics("""
            name: x
            shell: bash
            stages:
              - id: a
                run: 'true'
                shell: ['', -c]
              - id: b
                run: 'true'
                shell: []
            """) == [
            "plan.yaml:2:8: `shell` must be a list: the program and its arguments, for example [bash, -o, pipefail, -c]",
            "plan.yaml:6:13: `shell` must start with the program to run, for example [bash, -o, pipefail, -c]",
            "plan.yaml:9:12: `shell` must be a list: the program and its arguments, for example [bash, -o, pipefail, -c]",
        ])
    }

    @Test func stopGraceHasADefaultAPlanValueAndAStageValue() throws {
        let plan = try PlanParser.parse("""
            name: x
            stop-grace: 30s
            stages:
              - id: a
                run: 'true'
              - id: b
                stop-grace: 0
                run: 'true'
            """, file: "plan.yaml")
        #expect(plan.stages.map(\.stopGrace) == [.seconds(30), .zero])
        #expect(try PlanParser.parse("name: x\nstages: [{id: a, run: 'true'}]", file: "p").stages[0].stopGrace == .seconds(5))
        #expect(diagnostics("name: x\nstages: [{id: a, run: 'true', stop-grace: 2h}]") == [
            "plan.yaml:2:43: `stop-grace` must be a duration from 0 to 1h, such as 10s (0: SIGKILL at once)",
        ])
    }

    /// A raw NUL or control byte is reported where it is, not at 1:1; a plan nested too deep
    /// says so in words of its own.
    @Test func controlBytesAndDeepNestingAreReportedWhereTheyAre() {
        #expect(diagnostics("name: x\nstages:\n  - id: a\n    run: \"echo \u{0}\"\n") == [
            "plan.yaml:4:16: a NUL byte is not allowed in a plan (YAML allows tabs, line breaks and printable text)",
        ])
        #expect(diagnostics("name: caf\u{00E9}\u{1B}\n") == [
            "plan.yaml:1:11: the control character 0x1B is not allowed in a plan (YAML allows tabs, line breaks and printable text)",
        ])
        let deep = "name: x\nstages: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "\n"
        let nested = diagnostics(deep)
        #expect(nested.count == 1)
        #expect(nested.first?.hasSuffix("the plan nests lists or mappings too deeply for the YAML reader (its limit is about 1000 levels)") == true,
                "\(nested)")
    }

    @Test func expectIsReadAndChecked() throws {
        let plan = try PlanParser.parse("""
            name: x
            stages:
              - id: a
                partition: { items: [p] }
                run: 'true'
                expect: { non-empty: true, min-bytes: 20, match: '^## ', format: jsonl }
            """, file: "plan.yaml")
        #expect(plan.stages[0].expect == ReportExpectation(nonEmpty: true, minBytes: 20, match: "^## ", format: .jsonl))
        #expect(diagnostics("""
            name: x
            stages:
              - id: a
                run: 'true'
                expect: { non-empty: maybe, match: '(', format: xml, size: 3 }
            """) == [
            "plan.yaml:5:26: `non-empty` must be true or false",
            "plan.yaml:5:58: unknown field 'size' in `expect`",
        ])
        #expect(diagnostics("name: x\nstages:\n  - id: a\n    run: 'true'\n    expect: { match: '(' }\n")
                == ["plan.yaml:5:22: `match` must be a regular expression, such as '^## Summary'"])
        #expect(diagnostics("name: x\nstages:\n  - id: a\n    run: 'true'\n    expect: { format: xml }\n")
                == ["plan.yaml:5:23: `format` must be one of: json | jsonl"])
    }

    @Test func limitsUsesAndRateLimitAreReadAndChecked() throws {
        let plan = try PlanParser.parse("""
            name: x
            limits:
              claude: { concurrent: 8, starts-per-minute: 30 }
              shared: {}
            stages:
              - id: a
                partition: { items: [p] }
                run: 'true'
                uses: [claude, shared]
                rate-limit: { exit-codes: [75], match: '429', retry-after: 'retry-after: (\\d+)', backoff: 2s, max-backoff: 1m, max-waits: 5 }
            """, file: "plan.yaml")
        #expect(plan.limits == ["claude": LimitRule(concurrent: 8, startsPerMinute: 30), "shared": LimitRule()])
        #expect(plan.stages[0].uses == ["claude", "shared"])
        #expect(plan.stages[0].rateLimit == RateLimitRule(exitCodes: [75], match: "429", retryAfter: "retry-after: (\\d+)",
                                                          backoffMilliseconds: 2_000, maxBackoffMilliseconds: 60_000, maxWaits: 5))
        #expect(diagnostics("""
            name: x
            limits: { api: { concurrent: 0, burst: 3 } }
            stages:
              - id: a
                run: 'true'
                uses: [apu]
                rate-limit: { backoff: 2s }
              - id: b
                run: 'true'
                rate-limit: { exit-codes: [0] }
            """) == [
            "plan.yaml:2:30: `concurrent` must be a whole number at least 1",
            "plan.yaml:2:33: unknown field 'burst' in limit 'api'",
            "plan.yaml:6:5: stage 'a' uses limit 'apu', which is not declared; the plan's limits are: api (declare it under `limits`, with `{}` to leave its numbers to the coordinator's --limit)",
            "plan.yaml:7:17: `rate-limit` needs `exit-codes` or `match`: what a rate-limited attempt looks like",
            "plan.yaml:10:32: `exit-codes` must be exit statuses from 1 to 255, such as [75]",
        ])
    }

    @Test func aBudgetAndACostAreReadAndChecked() throws {
        let plan = try PlanParser.parse("""
            name: x
            budget: { cost: 5, task-seconds: 2h }
            stages:
              - id: a
                partition: { items: [p] }
                run: 'true'
                cost: { json: total_cost_usd }
            """, file: "plan.yaml")
        #expect(plan.budget == Budget(taskSeconds: 7_200, cost: 5))
        #expect(plan.stages[0].cost == CostRule(json: "total_cost_usd"))
        #expect(diagnostics("name: x\nbudget: { cost: 5 }\nstages:\n  - id: a\n    run: 'true'\n")
                == ["plan.yaml:2:1: a `budget` with `cost` needs a stage with `cost`, which says how to read what a task cost from its report"])
        #expect(diagnostics("name: x\nbudget: { cost: free }\nstages:\n  - id: a\n    run: 'true'\n    cost: { json: a, match: b }\n")
                == ["plan.yaml:2:17: `cost` must be a number above 0, such as 5 or 2.50",
                    "plan.yaml:6:29: `match` must be a regular expression with a group, in parentheses, around the cost, such as 'cost: \\$([0-9.]+)'"])
        #expect(diagnostics("name: x\nstages:\n  - id: a\n    run: 'true'\n    cost: { json: a, match: '(b)' }\n")
                == ["plan.yaml:5:11: `cost` needs exactly one of `json` and `match`"])
        // A pattern without a group would never say a number.
        #expect(diagnostics("name: x\nstages:\n  - id: a\n    run: 'true'\n    cost: { match: 'cost: [0-9.]+' }\n    rate-limit: { match: '429', retry-after: 'retry-after: \\d+' }\n")
                == ["plan.yaml:5:20: `match` must be a regular expression with a group, in parentheses, around the cost, such as 'cost: \\$([0-9.]+)'",
                    "plan.yaml:6:46: `retry-after` needs a group, in parentheses, around the seconds or clock time, such as 'retry-after: (\\d+)'"])
        #expect(diagnostics("name: x\nlimits: { x: {} }\nstages:\n  - id: a\n    run: 'true'\n    uses: [x, x]\n    rate-limit: { match: '429', backoff: 10m, max-backoff: 1s }\n")
                == ["plan.yaml:6:15: `uses` names limit 'x' twice",
                    "plan.yaml:7:60: `max-backoff` is shorter than `backoff`"])
    }

    @Test func aRelativeTimeoutIsAPercentageAboveAHundred() throws {
        let plan = try PlanParser.parse("name: x\nstages:\n  - id: a\n    partition: { items: [p] }\n    run: 'true'\n    timeout: 300%\n",
                                        file: "plan.yaml")
        #expect(plan.stages[0].timeoutPercent == 300)
        #expect(plan.stages[0].timeout == nil)
        #expect(diagnostics("name: x\nstages:\n  - id: a\n    run: 'true'\n    timeout: 50%\n")
                == ["plan.yaml:5:14: a relative `timeout` is a percentage of the median task from 101% to 100000%, such as 300%"])
    }

    @Test func nulCharactersAreRefused() {
        #expect(diagnostics("name: x\nvars: {a: \"x\\0y\"}\nstages:\n  - id: s\n    run: \"echo \\0\"\n    env: {E: \"\\0\"}\n") == [
            "plan.yaml:2:11: var 'a' contains a NUL character, which no command can take",
            "plan.yaml:5:10: `run` contains a NUL character, which no command can take",
            "plan.yaml:6:14: env value of E must be a single value without NUL characters",
        ])
        #expect(diagnostics("name: x\nstages:\n  - id: s\n    partition: { items: [\"a\\0b\", c] }\n    run: echo {scope}\n") == [
            "plan.yaml:4:26: an item contains a NUL character, which no scope can hold (a task's arguments and environment end at it)",
        ])
    }

    @Test func summarizeNeedsAFanOut() {
        #expect(diagnostics("name: x\nstages:\n  - id: a\n    run: 'true'\n    summarize: sort\n")
            == ["plan.yaml:5:5: `summarize` needs a fan-out stage: add a `partition` to stage 'a' or remove `summarize`"])
    }

    @Test func unknownVarPlaceholders() {
        #expect(diagnostics("name: x\nvars: {a: 1}\nstages:\n  - id: s\n    run: echo {vars.b}\n")
            == ["plan.yaml:5:5: `{vars.b}` names no var of this plan; known: a"])
    }

    @Test func envCannotSetSwellVariables() {
        #expect(diagnostics("name: x\nstages:\n  - id: s\n    run: env\n    env: {SWELL_SCOPE: x}\n")
            == ["plan.yaml:5:11: `env` cannot set SWELL_SCOPE: SWELL_* variables are set by Swell for each task"])
    }

    @Test func linesOfAnUnknownStage() {
        #expect(diagnostics("name: x\nstages:\n  - id: s\n    partition: {lines-of: nope}\n    run: 'true'\n")
            == ["plan.yaml:4:5: lines-of names unknown stage 'nope'; known: s"])
    }

    @Test func partitionMustBeExactlyOneKind() {
        #expect(diagnostics("name: x\nstages:\n  - id: s\n    partition: {items: [a], lines-of: t}\n    run: 'true'\n")
            == ["plan.yaml:4:16: `partition` must be exactly one of: directories, files, items, lines-of"])
        #expect(diagnostics("name: x\nstages:\n  - id: s\n    partition: {files: {root: ., per-task: 2, group-by: extension}}\n    run: 'true'\n")
            == ["plan.yaml:4:44: use either `per-task` or `group-by`, not both"])
    }

    @Test func everyProblemIsReportedAtOnce() {
        let result = diagnostics("name: x\nwidth: 500\nstages:\n  - id: a\n    run: 'true'\n    timeout: soon\n    needs: [zz]\n")
        #expect(result.count == 3)
    }

    @Test func aFloodOfProblemsIsCut() {
        let items = Array(repeating: "*x", count: 5_000).joined(separator: ", ")
        let result = diagnostics("name: x\nstages:\n  - id: a\n    run: echo\n    labels: [&x y]\n  - id: b\n    run: echo\n    partition: {items: [\(items)]}\n")
        #expect(result.count == 101)
        #expect(result.last?.hasSuffix("too many problems; fix these first") == true)
    }

    @Test func oversizedPlansAreRefused() {
        let big = "name: x\n# " + String(repeating: "x", count: PlanParser.maximumPlanBytes) + "\n"
        #expect(diagnostics(big).first?.contains("the limit is") == true)
    }
}
