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
        // libyaml says only "control characters are not allowed", with no place: find it.
        if let (line, column, byte) = firstControlCharacter(in: text) {
            let name = byte == 0 ? "a NUL byte" : String(format: "the control character 0x%02X", byte)
            throw PlanError(SourceLocation(file: file, line: line, column: column),
                            "\(name) is not allowed in a plan (YAML allows tabs, line breaks and printable text)")
        }
        let root: Node?
        do {
            // The basic resolver: PlanReader reads every scalar as text, so the default one's tag
            // regexes would only cost start-up time.
            root = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            throw PlanError([yamlDiagnostic(error, file: file, text: text)])
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

    /// The line, column and value of the first byte YAML does not allow (C0 controls but tab,
    /// line feed and carriage return, and DEL), if any.
    static func firstControlCharacter(in text: String) -> (Int, Int, UInt8)? {
        var line = 1
        var column = 1
        for byte in text.utf8 {
            if byte == 0x0A {
                line += 1
                column = 1
                continue
            }
            if (byte < 0x20 && byte != 0x09 && byte != 0x0D) || byte == 0x7F { return (line, column, byte) }
            // Columns count characters: continuation bytes of UTF-8 do not start one.
            if byte & 0xC0 != 0x80 { column += 1 }
        }
        return nil
    }

    /// The line, after `first`, where a block mapping's `key` comes again at the same column:
    /// the next line that starts there with `key:` (quoted or not). Nil for what this does not
    /// find (a flow mapping, a key written another way): then the first place is shown.
    static func repeatedKey(_ key: String, in text: String, after first: Mark) -> Int? {
        let forms = [key, "\"\(key)\"", "'\(key)'"].map { $0 + ":" }
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where offset + 1 > first.line {
            let characters = Array(line)
            guard characters.count >= first.column else { continue }
            let indent = characters.prefix(first.column - 1)
            let rest = String(characters.dropFirst(first.column - 1))
            // A shallower line, or the next item of the list the mapping is in, ends the mapping.
            if !indent.allSatisfy({ $0 == " " }) { return nil }
            if forms.contains(where: { rest.hasPrefix($0) }) { return offset + 1 }
        }
        return nil
    }

    static func yamlDiagnostic(_ error: YamlError, file: String, text: String = "") -> PlanDiagnostic {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            if problem.hasPrefix("Maximum nesting level reached") {
                return PlanDiagnostic(at(mark), "the plan nests lists or mappings too deeply for the YAML reader (its limit is about 1000 levels)")
            }
            var message = "YAML syntax error: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            return PlanDiagnostic(at(mark), message)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            // The place given is the key's first use; the error is where it comes again.
            if duplicates.count == 1, let key = duplicates.first,
               let again = repeatedKey(key, in: text, after: context.mark) {
                return PlanDiagnostic(SourceLocation(file: file, line: again, column: context.mark.column),
                                      "duplicate key \(keys) in a mapping (first at line \(context.mark.line))")
            }
            return PlanDiagnostic(at(context.mark), "duplicate key \(keys) in a mapping")
        case .reader(let problem, _, _, _):
            return PlanDiagnostic(SourceLocation(file: file, line: 1, column: 1), "cannot read YAML: \(problem)")
        default:
            return PlanDiagnostic(SourceLocation(file: file, line: 1, column: 1), "YAML error: \(error)")
        }
    }
}
