import SwellCore

/// Checks that need the whole plan: ids, dependencies, cycles, placeholders.
enum PlanValidator {
    static func check(_ plan: Plan?, file: String) -> [PlanDiagnostic] {
        guard let plan else { return [] }
        var diagnostics: [PlanDiagnostic] = []
        var firstByID: [String: Stage] = [:]
        for stage in plan.stages {
            if let first = firstByID[stage.id] {
                diagnostics.append(PlanDiagnostic(stage.location(of: "id"),
                    "duplicate stage id '\(stage.id)' (first defined at line \(first.location.line))"))
            } else {
                firstByID[stage.id] = stage
            }
        }
        let ids = Set(plan.stages.map(\.id))
        let varNames = Set(plan.vars.map(\.name))
        for stage in plan.stages {
            for need in stage.needs {
                if need == stage.id {
                    diagnostics.append(PlanDiagnostic(stage.location(of: "needs"), "stage '\(stage.id)' needs itself (a cycle)"))
                } else if !ids.contains(need) {
                    diagnostics.append(PlanDiagnostic(stage.location(of: "needs"),
                        "stage '\(stage.id)' needs unknown stage '\(need)'" + known(ids)))
                }
            }
            if let source = stage.partition?.sourceStage {
                if source == stage.id {
                    diagnostics.append(PlanDiagnostic(stage.location(of: "partition"), "stage '\(stage.id)' cannot take its scopes from its own output"))
                } else if !ids.contains(source) {
                    diagnostics.append(PlanDiagnostic(stage.location(of: "partition"),
                        "lines-of names unknown stage '\(source)'" + known(ids)))
                }
            }
            if !stage.isFanOut {
                for field in ["summarize", "synthesize", "order"] where stage.fieldLocations[field] != nil {
                    diagnostics.append(PlanDiagnostic(stage.location(of: field),
                        "`\(field)` needs a fan-out stage: add a `partition` to stage '\(stage.id)' or remove `\(field)`"))
                }
            }
            let commands: [(String, Command?)] = [("run", stage.run), ("summarize", stage.summarize), ("synthesize", stage.synthesize)]
            for (field, command) in commands {
                for name in command?.placeholders ?? [] where name.hasPrefix("vars.") {
                    let variable = String(name.dropFirst(5))
                    if !varNames.contains(variable) {
                        diagnostics.append(PlanDiagnostic(stage.location(of: field),
                            "`{\(name)}` names no var of this plan" + (varNames.isEmpty ? "; add it under `vars`" : known(varNames))))
                    }
                }
            }
        }
        if diagnostics.isEmpty, let cycle = StageGraph.cycle(in: plan) {
            let stage = plan.stage(cycle[0])!
            diagnostics.append(PlanDiagnostic(stage.location(of: "needs"),
                "stages depend on each other in a cycle: " + (cycle + [cycle[0]]).joined(separator: " -> ")))
        }
        return diagnostics
    }

    static func known(_ ids: Set<String>) -> String {
        "; known: " + ids.sorted(by: Scope.byteOrder).joined(separator: ", ")
    }
}
