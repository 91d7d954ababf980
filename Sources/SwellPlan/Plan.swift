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

package enum Pacing: String, Sendable, Codable, CaseIterable {
    /// The next task wave starts when the whole wave has finished.
    case barrier
    /// At most `width` tasks in flight; the next starts as soon as one finishes.
    case rolling
}

package enum OnFailure: String, Sendable, Codable, CaseIterable {
    /// A task that fails after its retries cancels the run's remaining work.
    case stop
    /// The failed report is kept and marked; the run goes on and ends with exit status 1.
    case `continue`
}

/// How a fan-out stage's scopes are made.
package enum Partition: Sendable, Hashable {
    package enum FileGrouping: Sendable, Hashable {
        /// Sorted files in groups of N.
        case perTask(Int)
        /// One group per file extension.
        case byExtension
    }

    /// Directories at exactly `depth` below `root`.
    case directories(root: String, depth: Int)
    /// Files under `root` matching `glob`, grouped.
    case files(root: String, glob: String, grouping: FileGrouping)
    /// The items as listed (for example concerns).
    case items([String])
    /// One scope per non-empty line of that stage's output, computed at run time.
    case linesOf(String)

    /// The stage whose output makes the scopes, for `lines-of`.
    package var sourceStage: String? {
        if case .linesOf(let stage) = self { return stage }
        return nil
    }

    /// A few words for `swell validate`.
    package var summary: String {
        switch self {
        case .directories(let root, let depth): return "directories of \(root) at depth \(depth)"
        case .files(let root, let glob, .perTask(let n)):
            return "files\(glob == "*" ? "" : " " + glob) under \(root)" + (n > 1 ? ", \(n) per task" : "")
        case .files(let root, let glob, .byExtension):
            return "files\(glob == "*" ? "" : " " + glob) under \(root), one task per extension"
        case .items: return "items"
        case .linesOf(let stage): return "one task per output line of \(stage)"
        }
    }
}

/// One step of a plan: a single task, or a fan-out with one task per scope.
package struct Stage: Sendable {
    package var id: String
    package var run: Command
    package var needs: [String]
    package var partition: Partition?
    package var width: Int
    package var pacing: Pacing
    /// Nil for no limit.
    package var timeout: Duration?
    package var retries: Int
    package var summarize: Command?
    package var synthesize: Command?
    package var input: InputFormat
    package var onFailure: OnFailure
    package var labels: [String]
    package var env: [String: String]
    /// Where the stage and each of its fields are written, for diagnostics.
    package var location: SourceLocation
    package var fieldLocations: [String: SourceLocation]

    package var isFanOut: Bool { partition != nil }

    /// `needs`, then the `lines-of` stage if it is not already among them.
    package var dependencies: [String] {
        var all = needs
        if let source = partition?.sourceStage, !all.contains(source) { all.append(source) }
        return all
    }

    package func location(of field: String) -> SourceLocation { fieldLocations[field] ?? location }
}
