import SwellCore

extension Plan {
    /// Why `stage` names no stage of the plan in `planText` (a run's, from the journal), or nil
    /// when it does (or the plan can no longer be read: nothing to say then).
    package static func noSuchStage(_ stage: String, run: String, planText: String, file: String) -> String? {
        guard let plan = try? PlanParser.parse(planText, file: file, overrides: []) else { return nil }
        let ids = plan.stages.map(\.id)
        guard !ids.contains(stage) else { return nil }
        return "run \(run) has no stage '\(stage)'" + (Suggestion.closest(to: stage, among: ids).map { " (did you mean '\($0)'?)" }
            ?? "; its stages: " + ids.joined(separator: ", "))
    }
}
