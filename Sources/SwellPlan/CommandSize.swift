import SwellCore

/// Whether a stage's commands fit what Linux lets a program be started with, checked before a run
/// for the scopes listed then: a string command is one argument of `sh -c`, and one argument may be
/// at most 128 KiB (MAX_ARG_STRLEN); all arguments together must leave room for the environment
/// in ARG_MAX (2 MiB with the usual 8 MiB stack), of which this allows half.
package enum CommandSize {
    package static let argumentLimit = 128 << 10
    package static let argumentsLimit = 1 << 20

    /// A problem for each stage whose command would be too long for its largest listed scope.
    package static func problems(_ plan: Plan, scopes: [String: [String]]) -> [PlanDiagnostic] {
        var problems: [PlanDiagnostic] = []
        for stage in plan.stages {
            guard let listed = scopes[stage.id], let largest = listed.max(by: { $0.utf8.count < $1.utf8.count }) else { continue }
            let values = PlaceholderValues(scope: largest, index: listed.count, stage: stage.id,
                                           run: "20260101-000000-0000", vars: plan.varValues)
            let shown = "its largest scope (\(Scope.shown(largest)), \(Scope.paths(of: largest).count) path(s))"
            switch stage.run.substituted(values) {
            case .shell(let text):
                let bytes = text.utf8.count + 1
                guard bytes > argumentLimit else { continue }
                problems.append(PlanDiagnostic(stage.location(of: "run"),
                    "stage '\(stage.id)': with \(shown) the command is \(bytes >> 10) KiB, more than the 128 KiB one argument of `sh -c` may be: "
                    + "write `run` as a list (`[wc, -l, \"{scope}\"]`: each path its own argument), or give fewer files to a task (`per-task`)"))
            case .argv(let words):
                let total = words.reduce(0) { $0 + $1.utf8.count + 1 }
                if let long = words.first(where: { $0.utf8.count + 1 > argumentLimit }) {
                    problems.append(PlanDiagnostic(stage.location(of: "run"),
                        "stage '\(stage.id)': with \(shown) one argument is \((long.utf8.count + 1) >> 10) KiB, more than the 128 KiB one argument may be"))
                } else if total > argumentsLimit {
                    problems.append(PlanDiagnostic(stage.location(of: "run"),
                        "stage '\(stage.id)': with \(shown) the arguments are \(total >> 10) KiB, more than the 1 MiB a task's command may take: give fewer files to a task (`per-task`)"))
                }
            }
        }
        return problems
    }
}
