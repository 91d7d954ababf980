import SwellCore
import Foundation
import Yams

/// Walks the YAML tree, collecting diagnostics instead of stopping at the first.
struct PlanReader {
    let file: String
    var diagnostics: [PlanDiagnostic] = []

    init(file: String) { self.file = file }

    static let planFields = ["name", "width", "pacing", "order", "shell", "stop-grace", "vars", "limits", "budget", "stages"]
    static let stageFields = [
        "id", "run", "needs", "partition", "width", "pacing", "order", "timeout", "retries", "summarize",
        "synthesize", "input", "on-failure", "labels", "env", "shell", "stop-grace", "expect", "prompt",
        "uses", "rate-limit", "cost",
    ]
    static let partitionKinds = ["directories", "files", "items", "lines-of"]

    func location(_ node: Node?) -> SourceLocation {
        let mark = node?.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// Problems kept at most; a hostile plan cannot make the report itself huge.
    static let maximumDiagnostics = 100

    mutating func error(_ node: Node?, _ message: String) {
        if diagnostics.count < Self.maximumDiagnostics {
            diagnostics.append(PlanDiagnostic(location(node), message))
        } else if diagnostics.count == Self.maximumDiagnostics {
            diagnostics.append(PlanDiagnostic(location(node), "too many problems; fix these first"))
        }
    }

    // MARK: Plan

    mutating func plan(_ root: Node, overrides: [VarOverride]) -> Plan? {
        guard let mapping = mappingFields(root, what: "the plan", allowed: Self.planFields) else {
            error(root, "the plan must be a mapping with `name` and `stages`")
            return nil
        }
        var name = ""
        if let node = mapping["name"].value {
            if let text = nonEmptyString(node, field: "name") { name = text }
        } else {
            error(root, "missing required field `name`")
        }
        var width = 10
        if let node = mapping["width"].value { width = integer(node, field: "width", range: 1...100) ?? width }
        var pacing = Pacing.barrier
        if let node = mapping["pacing"].value { pacing = choice(node, field: "pacing", Pacing.self) ?? pacing }
        var order = TaskOrder.longestFirst
        if let node = mapping["order"].value { order = choice(node, field: "order", TaskOrder.self) ?? order }
        var shell: [String]?
        if let node = mapping["shell"].value { shell = self.shell(node) }
        var stopGrace = Stage.defaultStopGrace
        if let node = mapping["stop-grace"].value { stopGrace = self.stopGrace(node) ?? stopGrace }
        var vars: [(name: String, value: String)] = []
        if let node = mapping["vars"].value { vars = variables(node) }
        for override in overrides {
            let name = override.name
            if let position = vars.firstIndex(where: { $0.name == name }) {
                vars[position].value = override.value
            } else {
                let known = vars.isEmpty ? "the plan has no vars" : "the plan's vars are: " + vars.map(\.name).joined(separator: ", ")
                error(mapping["vars"].key ?? root, "--set \(name): no var named '\(name)'; \(known)")
            }
        }
        var limits: [String: LimitRule] = [:]
        if let node = mapping["limits"].value { limits = self.limits(node) }
        var budget: Budget?
        if let node = mapping["budget"].value { budget = self.budget(node) }
        var stages: [Stage] = []
        if let node = mapping["stages"].value {
            if let sequence = node.sequence, !sequence.isEmpty {
                for item in sequence {
                    if let stage = stage(item, defaultWidth: width, defaultPacing: pacing, defaultOrder: order, defaultShell: shell,
                                         defaultStopGrace: stopGrace) {
                        stages.append(stage)
                    }
                }
            } else {
                error(node, "`stages` must be a non-empty list of stages")
            }
        } else {
            error(root, "missing required field `stages`")
        }
        for stage in stages {
            for name in stage.uses where limits[name] == nil {
                let declared = limits.isEmpty ? "the plan declares no `limits`" : "the plan's limits are: " + limits.keys.sorted().joined(separator: ", ")
                diagnostics.append(PlanDiagnostic(stage.location(of: "uses"),
                    "stage '\(stage.id)' uses limit '\(name)', which is not declared; \(declared) (declare it under `limits`, with `{}` to leave its numbers to the coordinator's --limit)"))
            }
        }
        var plan = Plan(name: name, width: width, pacing: pacing, vars: vars, stages: stages, file: file, text: "")
        plan.limits = limits
        plan.budget = budget
        if budget?.cost != nil, !stages.contains(where: { $0.cost != nil }) {
            error(mapping["budget"].key, "a `budget` with `cost` needs a stage with `cost`, which says how to read what a task cost from its report")
        }
        return plan
    }

    /// `budget: {task-seconds: 3600, cost: 5}` (`task-seconds` also takes a duration such as `2h`).
    mutating func budget(_ node: Node) -> Budget? {
        guard let fields = mappingFields(node, what: "`budget`", allowed: ["task-seconds", "cost"]) else {
            error(node, "`budget` must be a mapping such as {cost: 5, task-seconds: 2h}")
            return nil
        }
        var budget = Budget()
        if let value = fields["cost"].value {
            guard let number = value.scalar.flatMap({ Double($0.string) }), number.isFinite, number > 0 else {
                error(value, "`cost` must be a number above 0, such as 5 or 2.50")
                return nil
            }
            budget.cost = number
        }
        if let value = fields["task-seconds"].value {
            guard let seconds = value.scalar.flatMap({ Budget.seconds($0.string) }) else {
                error(value, "`task-seconds` must be a number of seconds above 0, or a duration such as 90m or 2h")
                return nil
            }
            budget.taskSeconds = seconds
        }
        if budget.isEmpty {
            error(node, "`budget` needs `cost` or `task-seconds`")
            return nil
        }
        return budget
    }

    /// `cost: {json: total_cost_usd}` or `cost: {match: 'cost: \\$([0-9.]+)'}`.
    mutating func costRule(_ node: Node) -> CostRule? {
        guard let fields = mappingFields(node, what: "`cost`", allowed: ["json", "match"]) else {
            error(node, "`cost` must be a mapping: {json: FIELD} or {match: REGEX}")
            return nil
        }
        var rule = CostRule()
        if let value = fields["json"].value {
            guard let path = value.scalar?.string, !path.isEmpty, !path.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
                error(value, "`json` must name a field of the report, such as total_cost_usd or usage.cost")
                return nil
            }
            rule.json = path
        }
        if let value = fields["match"].value {
            guard let pattern = value.scalar?.string, !pattern.isEmpty, let regex = TimedMatch.compile(pattern),
                  regex.numberOfCaptureGroups >= 1 else {
                error(value, "`match` must be a regular expression with a group, in parentheses, around the cost, such as 'cost: \\$([0-9.]+)'")
                return nil
            }
            rule.match = pattern
        }
        if (rule.json == nil) == (rule.match == nil) {
            error(node, "`cost` needs exactly one of `json` and `match`")
            return nil
        }
        return rule
    }

    /// `limits: {NAME: {concurrent: N, starts-per-minute: N}}`; `{}` declares a name whose
    /// numbers only a coordinator's `--limit` gives.
    mutating func limits(_ node: Node) -> [String: LimitRule] {
        guard let mapping = node.mapping else {
            error(node, "`limits` must be a mapping of limit names to {concurrent: N, starts-per-minute: N}")
            return [:]
        }
        var limits: [String: LimitRule] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string, Plan.isValidName(name) else {
                error(key, "a limit name may only use letters, digits, `_`, `-` and `.`")
                continue
            }
            if value.scalar?.string == "" || value.scalar?.string == "~" || value.scalar?.string == "null" {
                limits[name] = LimitRule()
                continue
            }
            guard let fields = mappingFields(value, what: "limit '\(name)'", allowed: ["concurrent", "starts-per-minute"]) else {
                error(value, "limit '\(name)' must be a mapping such as {concurrent: 8, starts-per-minute: 30}")
                continue
            }
            var rule = LimitRule()
            if let n = fields["concurrent"].value { rule.concurrent = integer(n, field: "concurrent", range: 1...1_000_000) }
            if let n = fields["starts-per-minute"].value { rule.startsPerMinute = integer(n, field: "starts-per-minute", range: 1...1_000_000) }
            limits[name] = rule
        }
        return limits
    }

    /// `rate-limit: {exit-codes: [75], match: REGEX, retry-after: REGEX, backoff: 10s, max-backoff: 5m, max-waits: 20}`.
    mutating func rateLimit(_ node: Node) -> RateLimitRule? {
        let allowed = ["exit-codes", "match", "retry-after", "backoff", "max-backoff", "max-waits"]
        guard let fields = mappingFields(node, what: "`rate-limit`", allowed: allowed) else {
            error(node, "`rate-limit` must be a mapping: " + allowed.joined(separator: ", "))
            return nil
        }
        var rule = RateLimitRule()
        if let value = fields["exit-codes"].value {
            let items = value.sequence ?? [value]
            for item in items {
                guard let code = item.scalar.flatMap({ Int32($0.string) }), (1...255).contains(code) else {
                    error(item, "`exit-codes` must be exit statuses from 1 to 255, such as [75]")
                    return nil
                }
                rule.exitCodes.append(code)
            }
        }
        for field in ["match", "retry-after"] {
            guard let value = fields[field].value else { continue }
            guard let pattern = value.scalar?.string, !pattern.isEmpty, TimedMatch.compile(pattern) != nil else {
                error(value, "`\(field)` must be a regular expression" + (field == "match" ? ", such as '429|rate.limit|overloaded'" : " whose first group is seconds or a clock time, such as 'retry-after: (\\d+)'"))
                return nil
            }
            if field == "retry-after", (TimedMatch.compile(pattern)?.numberOfCaptureGroups ?? 0) < 1 {
                error(value, "`retry-after` needs a group, in parentheses, around the seconds or clock time, such as 'retry-after: (\\d+)'")
                return nil
            }
            if field == "match" { rule.match = pattern } else { rule.retryAfter = pattern }
        }
        for field in ["backoff", "max-backoff"] {
            guard let value = fields[field].value else { continue }
            guard let text = value.scalar?.string, let duration = Durations.parse(text), duration >= .milliseconds(100), duration <= .seconds(86_400) else {
                error(value, "`\(field)` must be a duration from 100ms to 24h, such as 10s")
                return nil
            }
            if field == "backoff" { rule.backoffMilliseconds = Int(duration.wholeMilliseconds) } else { rule.maxBackoffMilliseconds = Int(duration.wholeMilliseconds) }
        }
        if let value = fields["max-waits"].value { rule.maxWaits = integer(value, field: "max-waits", range: 1...1_000) ?? rule.maxWaits }
        if rule.exitCodes.isEmpty, rule.match == nil {
            error(node, "`rate-limit` needs `exit-codes` or `match`: what a rate-limited attempt looks like")
            return nil
        }
        if rule.maxBackoffMilliseconds < rule.backoffMilliseconds {
            if fields["max-backoff"].value != nil {
                error(fields["max-backoff"].value, "`max-backoff` is shorter than `backoff`")
                return nil
            }
            rule.maxBackoffMilliseconds = rule.backoffMilliseconds
        }
        return rule
    }

    mutating func variables(_ node: Node) -> [(name: String, value: String)] {
        guard let mapping = node.mapping else {
            error(node, "`vars` must be a mapping of names to values")
            return []
        }
        var vars: [(name: String, value: String)] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string, Vars.isValidName(name) else {
                error(key, "invalid var name; use letters, digits, `_` and `-`, starting with a letter or `_`")
                continue
            }
            guard let text = value.scalar?.string else {
                error(value, "var '\(name)' must be a single value, not a list or mapping")
                continue
            }
            if text.contains("\0") {
                error(value, "var '\(name)' contains a NUL character, which no command can take")
                continue
            }
            vars.append((name, text))
        }
        return vars
    }

    // MARK: Stage

    mutating func stage(_ node: Node, defaultWidth: Int, defaultPacing: Pacing, defaultOrder: TaskOrder,
                        defaultShell: [String]?, defaultStopGrace: Duration) -> Stage? {
        guard let fields = mappingFields(node, what: "a stage", allowed: Self.stageFields) else {
            error(node, "a stage must be a mapping with at least `id` and `run`")
            return nil
        }
        var locations: [String: SourceLocation] = [:]
        for (key, _) in fields.mapping { if let name = key.scalar?.string { locations[name] = location(key) } }
        var ok = true
        var id = ""
        if let value = fields["id"].value {
            if let text = nonEmptyString(value, field: "id") {
                if text.unicodeScalars.allSatisfy(Self.isIDCharacter) {
                    id = text
                } else {
                    error(value, "stage id '\(text)' may only use letters, digits, `_`, `-` and `.`")
                    ok = false
                }
            } else { ok = false }
        } else {
            error(node, "stage is missing required field `id`")
            ok = false
        }
        let what = id.isEmpty ? "stage" : "stage '\(id)'"
        var run = Command.shell("")
        if let value = fields["run"].value {
            if let command = command(value, field: "run") { run = command } else { ok = false }
        } else {
            error(node, "\(what) is missing required field `run`")
            ok = false
        }
        var needs: [String] = []
        if let value = fields["needs"].value {
            if let single = value.scalar?.string, !single.isEmpty {
                needs = [single]
            } else if let list = value.sequence {
                for item in list {
                    if let text = nonEmptyString(item, field: "needs") { needs.append(text) }
                }
            } else {
                error(value, "`needs` must be a list of stage ids")
            }
        }
        var partition: Partition?
        if let value = fields["partition"].value { partition = self.partition(value) }
        var width = defaultWidth
        if let value = fields["width"].value { width = integer(value, field: "width", range: 1...100) ?? width }
        var pacing = defaultPacing
        if let value = fields["pacing"].value { pacing = choice(value, field: "pacing", Pacing.self) ?? pacing }
        var order = defaultOrder
        if let value = fields["order"].value { order = choice(value, field: "order", TaskOrder.self) ?? order }
        var timeout: Duration?
        var timeoutPercent: Int?
        if let value = fields["timeout"].value {
            if let text = value.scalar?.string, text.hasSuffix("%") {
                if let percent = Int(text.dropLast()), (101...100_000).contains(percent) {
                    timeoutPercent = percent
                } else {
                    error(value, "a relative `timeout` is a percentage of the median task from 101% to 100000%, such as 300%")
                }
            } else if let text = value.scalar?.string, let duration = Durations.parse(text) {
                if duration > .zero { timeout = duration } else { error(value, "`timeout` must be longer than zero") }
            } else {
                error(value, "`timeout` must be a duration such as 500ms, 30s, 5m or 1h, or a percentage of the median task such as 300%")
            }
        }
        var retries = 0
        if let value = fields["retries"].value { retries = integer(value, field: "retries", range: 0...100) ?? 0 }
        let summarize = fields["summarize"].value.flatMap { command($0, field: "summarize") }
        let synthesize = fields["synthesize"].value.flatMap { command($0, field: "synthesize") }
        var input = InputFormat.concat
        if let value = fields["input"].value { input = choice(value, field: "input", InputFormat.self) ?? input }
        var onFailure = OnFailure.stop
        if let value = fields["on-failure"].value { onFailure = choice(value, field: "on-failure", OnFailure.self) ?? onFailure }
        var labels: [String] = []
        if let value = fields["labels"].value {
            if let list = value.sequence {
                for item in list { if let text = nonEmptyString(item, field: "labels") { labels.append(text) } }
            } else if let single = value.scalar?.string, !single.isEmpty {
                labels = single.split(separator: ",").map { String($0) }
            } else {
                error(value, "`labels` must be a list of node labels")
            }
        }
        var env: [String: String] = [:]
        if let value = fields["env"].value {
            if let mapping = value.mapping {
                for (key, item) in mapping {
                    guard let name = key.scalar?.string, !name.isEmpty, !name.contains("="), !name.contains("\0") else {
                        error(key, "invalid environment variable name")
                        continue
                    }
                    if name.hasPrefix("SWELL_") {
                        error(key, "`env` cannot set \(name): SWELL_* variables are set by Swell for each task")
                        continue
                    }
                    guard let text = item.scalar?.string, !text.contains("\0") else {
                        error(item, "env value of \(name) must be a single value without NUL characters")
                        continue
                    }
                    env[name] = text
                }
            } else {
                error(value, "`env` must be a mapping of variable names to values")
            }
        }
        var shell = defaultShell
        if let value = fields["shell"].value { shell = self.shell(value) }
        var stopGrace = defaultStopGrace
        if let value = fields["stop-grace"].value { stopGrace = self.stopGrace(value) ?? stopGrace }
        let expect = fields["expect"].value.flatMap { self.expectation($0) }
        let prompt = fields["prompt"].value.flatMap { nonEmptyString($0, field: "prompt") }
        var uses: [String] = []
        if let value = fields["uses"].value {
            for item in value.sequence ?? [value] {
                guard let name = nonEmptyString(item, field: "uses") else { continue }
                if uses.contains(name) {
                    error(item, "`uses` names limit '\(name)' twice")
                } else {
                    uses.append(name)
                }
            }
        }
        let rateLimit = fields["rate-limit"].value.flatMap { self.rateLimit($0) }
        let cost = fields["cost"].value.flatMap { self.costRule($0) }
        guard ok else { return nil }
        var stage = Stage(
            id: id, run: run, needs: needs, partition: partition, width: width, pacing: pacing,
            timeout: timeout, retries: retries, summarize: summarize, synthesize: synthesize,
            input: input, onFailure: onFailure, labels: labels, env: env, shell: shell,
            location: location(node), fieldLocations: locations)
        stage.stopGrace = stopGrace
        stage.order = order
        stage.expect = expect
        stage.prompt = prompt
        stage.uses = uses
        stage.rateLimit = rateLimit
        stage.cost = cost
        stage.timeoutPercent = timeoutPercent
        return stage
    }

    /// `expect: {non-empty: true, min-bytes: N, match: REGEX, format: json | jsonl}`.
    mutating func expectation(_ node: Node) -> ReportExpectation? {
        guard let fields = mappingFields(node, what: "`expect`", allowed: ["non-empty", "min-bytes", "match", "format"]) else {
            error(node, "`expect` must be a mapping: non-empty, min-bytes, match, format")
            return nil
        }
        var expectation = ReportExpectation()
        if let value = fields["non-empty"].value {
            guard let flag = value.scalar.flatMap({ Bool($0.string) }) else {
                error(value, "`non-empty` must be true or false")
                return nil
            }
            expectation.nonEmpty = flag
        }
        if let value = fields["min-bytes"].value { expectation.minBytes = integer(value, field: "min-bytes", range: 1...(1 << 30)) }
        if let value = fields["match"].value {
            guard let pattern = value.scalar?.string, !pattern.isEmpty, ReportExpectation.compile(pattern) != nil else {
                error(value, "`match` must be a regular expression, such as '^## Summary'")
                return nil
            }
            expectation.match = pattern
        }
        if let value = fields["format"].value { expectation.format = choice(value, field: "format", ReportExpectation.Format.self) }
        return expectation
    }

    /// `stop-grace`: a duration from 0 (SIGKILL at once) to 1h.
    mutating func stopGrace(_ node: Node) -> Duration? {
        guard let text = node.scalar?.string, let duration = Durations.parse(text) ?? (text == "0" ? .zero : nil),
              duration >= .zero, duration <= .seconds(3600) else {
            error(node, "`stop-grace` must be a duration from 0 to 1h, such as 10s (0: SIGKILL at once)")
            return nil
        }
        return duration
    }

    static func isIDCharacter(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-" || c == "."
    }

    // MARK: Partition

    mutating func partition(_ node: Node) -> Partition? {
        guard let mapping = node.mapping, mapping.count == 1, let (key, value) = mapping.first.map({ ($0.key, $0.value) }) else {
            error(node, "`partition` must be exactly one of: directories, files, items, lines-of")
            return nil
        }
        let kind = key.scalar?.string ?? ""
        switch kind {
        case "directories":
            guard let fields = mappingFields(value, what: "`directories`", allowed: ["root", "depth"]) else {
                error(value, "`directories` must be a mapping such as {root: src, depth: 1}")
                return nil
            }
            guard let rootNode = fields["root"].value, let root = nonEmptyString(rootNode, field: "root") else {
                if fields["root"].value == nil { error(value, "`directories` needs `root`") }
                return nil
            }
            var depth = 1
            if let d = fields["depth"].value { depth = integer(d, field: "depth", range: 1...64) ?? depth }
            return .directories(root: root, depth: depth)
        case "files":
            guard let fields = mappingFields(value, what: "`files`", allowed: ["root", "glob", "per-task", "group-by"]) else {
                error(value, "`files` must be a mapping such as {root: src, glob: \"*.swift\"}")
                return nil
            }
            guard let rootNode = fields["root"].value, let root = nonEmptyString(rootNode, field: "root") else {
                if fields["root"].value == nil { error(value, "`files` needs `root`") }
                return nil
            }
            var glob = "*"
            if let g = fields["glob"].value {
                guard let text = nonEmptyString(g, field: "glob") else { return nil }
                if let problem = Glob.problem(in: text) {
                    error(g, "invalid glob: \(problem)")
                    return nil
                }
                glob = text
            }
            let perTask = fields["per-task"].value
            let groupBy = fields["group-by"].value
            if let perTask, groupBy != nil {
                error(perTask, "use either `per-task` or `group-by`, not both")
                return nil
            }
            if let groupBy {
                guard groupBy.scalar?.string == "extension" else {
                    error(groupBy, "`group-by` must be `extension`")
                    return nil
                }
                return .files(root: root, glob: glob, grouping: .byExtension)
            }
            var n = 1
            if let perTask { n = integer(perTask, field: "per-task", range: 1...100_000) ?? n }
            return .files(root: root, glob: glob, grouping: .perTask(n))
        case "items":
            guard let list = value.sequence, !list.isEmpty else {
                error(value, "`items` must be a non-empty list")
                return nil
            }
            var items: [String] = []
            var seen: [String: Node] = [:]
            for item in list {
                guard let text = item.scalar?.string, !text.isEmpty else {
                    error(item, "each item must be a non-empty single value")
                    continue
                }
                if text.contains("\n") {
                    error(item, "an item must be a single line")
                    continue
                }
                if text.utf8.contains(0) {
                    error(item, "an item contains a NUL character, which no scope can hold (a task's arguments and environment end at it)")
                    continue
                }
                if seen[text] != nil {
                    error(item, "duplicate item '\(Scope.shortened(text))': the scopes of a stage must be unique")
                    continue
                }
                seen[text] = item
                items.append(text)
            }
            if let overlap = Scope.firstOverlap(in: items) {
                let second = list.first { $0.scalar?.string == items[overlap.second] }
                error(second, "scopes overlap: \(Scope.overlapDescription(overlap.firstPath, overlap.secondPath))")
            }
            return .items(items)
        case "lines-of":
            guard let stage = nonEmptyString(value, field: "lines-of") else { return nil }
            return .linesOf(stage)
        default:
            error(key, "unknown partition '\(kind)'; use one of: directories, files, items, lines-of"
                + suggestion(kind, Self.partitionKinds))
            return nil
        }
    }

    // MARK: Values

    mutating func command(_ node: Node, field: String) -> Command? {
        if let scalars = node.sequence?.compactMap(\.scalar?.string) ?? node.scalar.map({ [$0.string] }),
           scalars.contains(where: { $0.contains("\0") }) {
            error(node, "`\(field)` contains a NUL character, which no command can take")
            return nil
        }
        if let text = node.scalar?.string {
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                error(node, "`\(field)` must not be empty")
                return nil
            }
            return .shell(text)
        }
        if let list = node.sequence {
            var words: [String] = []
            for item in list {
                guard let word = item.scalar?.string else {
                    error(item, "each element of `\(field)` must be a single value")
                    return nil
                }
                words.append(word)
            }
            guard let first = words.first, !first.isEmpty else {
                error(node, "`\(field)` must name a program to run")
                return nil
            }
            return .argv(words)
        }
        error(node, "`\(field)` must be a command string (run by /bin/sh -c) or a list of arguments")
        return nil
    }

    /// `shell`: the program and arguments that run a string command, given as its last argument.
    mutating func shell(_ node: Node) -> [String]? {
        let example = "for example [bash, -o, pipefail, -c]"
        guard let list = node.sequence, !list.isEmpty else {
            error(node, "`shell` must be a list: the program and its arguments, \(example)")
            return nil
        }
        var words: [String] = []
        for item in list {
            guard let word = item.scalar?.string, !word.contains("\0") else {
                error(item, "each element of `shell` must be a single value without NUL characters")
                return nil
            }
            words.append(word)
        }
        guard !words[0].isEmpty else {
            error(list[0], "`shell` must start with the program to run, \(example)")
            return nil
        }
        return words
    }

    mutating func nonEmptyString(_ node: Node, field: String) -> String? {
        guard let text = node.scalar?.string, !text.isEmpty else {
            error(node, "`\(field)` must be a non-empty value")
            return nil
        }
        return text
    }

    mutating func integer(_ node: Node, field: String, range: ClosedRange<Int>) -> Int? {
        guard let text = node.scalar?.string, let value = Int(text), range.contains(value) else {
            let bound = range.upperBound >= 100_000 ? "at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
            error(node, "`\(field)` must be a whole number \(bound)")
            return nil
        }
        return value
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ node: Node, field: String, _ type: T.Type) -> T? where T.RawValue == String {
        guard let text = node.scalar?.string, let value = T(rawValue: text) else {
            let options = T.allCases.map(\.rawValue).joined(separator: " | ")
            error(node, "`\(field)` must be one of: \(options)")
            return nil
        }
        return value
    }

    /// A mapping's fields by name; reports unknown field names with a suggestion.
    mutating func mappingFields(_ node: Node, what: String, allowed: [String]) -> YAMLFields? {
        guard let mapping = node.mapping else { return nil }
        for (key, _) in mapping {
            guard let name = key.scalar?.string else {
                error(key, "field names must be plain words")
                continue
            }
            if !allowed.contains(name) {
                error(key, "unknown field '\(name)' in \(what)" + suggestion(name, allowed))
            }
        }
        return YAMLFields(mapping: mapping)
    }

    func suggestion(_ word: String, _ candidates: [String]) -> String {
        Suggestion.closest(to: word, among: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    }
}
