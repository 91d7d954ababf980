import SwellCore
import SwellPlan

/// What `swell validate` prints: the stage waves, each stage with its task count. What the plan
/// names (its name, file, paths and globs) is shown, never obeyed, by the terminal.
enum PlanSummary {
    static func render(_ plan: Plan, scopes: [String: [String]]) -> String {
        let waves = StageGraph.waves(of: plan)
        var out = "plan \(plan.name) (\(plan.file)): \(plan.stages.count) stage\(plan.stages.count == 1 ? "" : "s") in \(waves.count) wave\(waves.count == 1 ? "" : "s")\n"
        let nameWidth = plan.stages.map(\.id.count).max() ?? 0
        for (number, wave) in waves.enumerated() {
            out += "wave \(number + 1)\n"
            for id in wave {
                let stage = plan.stage(id)!
                var line = "  " + id.padding(toLength: nameWidth + 2, withPad: " ", startingAt: 0)
                if let partition = stage.partition {
                    if let count = scopes[id]?.count {
                        line += "\(count) task\(count == 1 ? "" : "s") (\(partition.summary))"
                    } else {
                        line += "\(partition.summary) (counted at run time)"
                    }
                    line += ", width \(stage.width), \(stage.pacing.rawValue)"
                    if stage.order == .scope { line += ", in scope order" }
                    if stage.summarize != nil { line += ", summarized" }
                    if stage.synthesize != nil { line += ", synthesized" }
                } else {
                    line += "1 task"
                }
                if !stage.needs.isEmpty { line += "; needs \(stage.needs.joined(separator: ", "))" }
                if !stage.uses.isEmpty { line += "; uses \(stage.uses.joined(separator: ", "))" }
                if stage.rateLimit != nil { line += "; waits out rate limits" }
                if stage.cost != nil { line += "; reads its cost" }
                out += line + "\n"
            }
        }
        out += "sinks: \(plan.sinks.map(\.id).joined(separator: ", "))\n"
        for name in plan.limits.keys.sorted() {
            let rule = plan.limits[name]!
            let numbers = rule.description.isEmpty ? "numbers from the coordinator's --limit \(name)" : rule.description
            out += "limit \(name): \(numbers)\n"
        }
        if let budget = plan.budget {
            out += "budget: \(budget.description)\n"
        }
        return TerminalText.visible(out)
    }
}
