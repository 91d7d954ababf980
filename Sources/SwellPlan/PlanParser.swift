package import SwellCore
import Foundation
import Yams

/// Reads plan files: YAML through Yams, every field checked, every problem reported with its
/// `FILE:LINE:COL`.
package enum PlanParser {
    /// Plans larger than this are refused before parsing.
    package static let maximumPlanBytes = 1 << 20

    /// Reads and parses the plan at `path`, applying `--set` overrides.
    package static func load(path: String, overrides: [VarOverride] = []) throws(PlanError) -> Plan {
        let start = SourceLocation(file: path, line: 1, column: 1)
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let size = attributes?[.size] as? Int, size > maximumPlanBytes {
            throw PlanError(start, "plan file is \(size) bytes; the limit is \(maximumPlanBytes)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                throw PlanError(start, isDirectory.boolValue ? "is a directory, not a plan file" : "cannot read the plan file")
            }
            throw PlanError(start, "no such plan file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PlanError(start, "the plan file is not UTF-8 text")
        }
        return try parse(text, file: path, overrides: overrides)
    }

    /// Parses plan text. `file` is used in diagnostics.
    package static func parse(_ text: String, file: String, overrides: [VarOverride] = []) throws(PlanError) -> Plan {
        let start = SourceLocation(file: file, line: 1, column: 1)
        guard text.utf8.count <= maximumPlanBytes else {
            throw PlanError(start, "plan is \(text.utf8.count) bytes; the limit is \(maximumPlanBytes)")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw PlanError([yamlDiagnostic(error, file: file)])
        } catch {
            throw PlanError(start, "YAML error: \(error)")
        }
        guard let root else { throw PlanError(start, "the plan is empty; it needs at least `name` and `stages`") }
        var reader = PlanReader(file: file)
        let plan = reader.plan(root, overrides: overrides)
        reader.diagnostics += PlanValidator.check(plan, file: file)
        guard reader.diagnostics.isEmpty, let plan else { throw PlanError(reader.diagnostics) }
        var complete = plan
        complete.text = text
        return complete
    }

    static func yamlDiagnostic(_ error: YamlError, file: String) -> PlanDiagnostic {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            var message = "YAML syntax error: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            return PlanDiagnostic(at(mark), message)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return PlanDiagnostic(at(context.mark), "duplicate key \(keys) in a mapping")
        case .reader(let problem, _, _, _):
            return PlanDiagnostic(SourceLocation(file: file, line: 1, column: 1), "cannot read YAML: \(problem)")
        default:
            return PlanDiagnostic(SourceLocation(file: file, line: 1, column: 1), "YAML error: \(error)")
        }
    }
}
