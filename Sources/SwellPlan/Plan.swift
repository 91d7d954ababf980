package import SwellCore

/// A parsed, validated plan.
package struct Plan: Sendable {
    package var name: String
    /// Default task-wave width of every stage, 1...100.
    package var width: Int
    package var pacing: Pacing
    /// Variables in file order, after `--set` overrides.
    package var vars: [(name: String, value: String)]
    package var stages: [Stage]
    /// Named limits (`limits`) that stages run under (`uses`); a coordinator's `--limit` of the
    /// same name applies as well, across its runs.
    package var limits: [String: LimitRule] = [:]
    /// What a run of the plan may spend (`budget`); `swell run --budget` sets it over this.
    package var budget: Budget?
    /// The file the plan came from, as the user named it, and its text.
    package var file: String
    package var text: String

    /// The variables as a dictionary, for placeholder substitution.
    package var varValues: [String: String] {
        Dictionary(vars.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    package func stage(_ id: String) -> Stage? { stages.first { $0.id == id } }

    /// A stage id or limit name: letters, digits, `_`, `-` and `.`.
    package static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy(PlanReader.isIDCharacter)
    }

    static func words(_ command: Command) -> [String] {
        switch command {
        case .shell(let text): return [text]
        case .argv(let words): return words
        }
    }

    /// What is allowed but probably wrong: placeholders inside quotes written by hand in a string
    /// command, where Swell's own quoting of the value is undone.
    package var warnings: [PlanDiagnostic] {
        var found: [PlanDiagnostic] = []
        for stage in stages {
            for (field, command) in [("run", stage.run), ("summarize", stage.summarize), ("synthesize", stage.synthesize)] {
                for word in command.map(Self.words) ?? [] {
                    for (written, meant) in Placeholders.likelyTypos(in: word, vars: vars.map(\.name)) {
                        found.append(PlanDiagnostic(stage.location(of: field),
                            "warning: `\(field)` of stage '\(stage.id)' has {\(written)}, which is not a placeholder and stays as it is: did you mean {\(meant)}?"))
                    }
                }
                guard case .shell(let text)? = command else { continue }
                for (name, quote) in Placeholders.quoted(in: text) {
                    let kind = quote == "'" ? "single" : "double"
                    found.append(PlanDiagnostic(stage.location(of: field),
                        "warning: `\(field)` of stage '\(stage.id)' has {\(name)} inside \(kind) quotes: Swell quotes each value "
                        + "itself, and inside quotes that quoting is undone, so a value with $(...) or a quote would run as shell; "
                        + "write {\(name)} without quotes" + (name.hasPrefix("vars.") ? "" : " (or \"$SWELL_\(name.uppercased())\" in double quotes)")))
                }
            }
        }
        return found
    }

    /// Stages nothing depends on (through `needs` or `lines-of`), in plan order: their outputs
    /// are what `swell run` prints.
    package var sinks: [Stage] {
        let used = Set(stages.flatMap(\.dependencies))
        return stages.filter { !used.contains($0.id) }
    }
}
