/// A parsed, validated plan.
package struct Plan: Sendable {
    package var name: String
    /// Default task-wave width of every stage, 1...100.
    package var width: Int
    package var pacing: Pacing
    /// Variables in file order, after `--set` overrides.
    package var vars: [(name: String, value: String)]
    package var stages: [Stage]
    /// The file the plan came from, as the user named it, and its text.
    package var file: String
    package var text: String

    /// The variables as a dictionary, for placeholder substitution.
    package var varValues: [String: String] {
        Dictionary(vars.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    package func stage(_ id: String) -> Stage? { stages.first { $0.id == id } }

    /// Stages nothing depends on (through `needs` or `lines-of`), in plan order: their outputs
    /// are what `swell run` prints.
    package var sinks: [Stage] {
        let used = Set(stages.flatMap(\.dependencies))
        return stages.filter { !used.contains($0.id) }
    }
}
