import Foundation
import SwellCore

/// Lists the scopes of `directories`, `files` and `items` partitions on the host that runs
/// `swell run`, relative to the plan file's folder, sorted in byte order.
///
/// Hidden entries (names starting with `.`, such as `.git` or `.build`) are skipped, and
/// symbolic links to directories are not followed: neither walked into nor listed as files (a
/// symbolic link to a file is a file). A name that is not UTF-8 cannot be a scope (scopes are
/// text, in messages, JSON and the environment), so it is an error that names it, not a silent
/// change of its bytes.
package enum PartitionResolver {
    /// The scopes of every fan-out stage whose partition is known before the run.
    package static func staticScopes(of plan: Plan, baseDirectory: String) throws(PlanError) -> [String: [String]] {
        var result: [String: [String]] = [:]
        var diagnostics: [PlanDiagnostic] = []
        for stage in plan.stages {
            guard let partition = stage.partition else { continue }
            do {
                if let scopes = try scopes(of: partition, stage: stage, baseDirectory: baseDirectory) {
                    result[stage.id] = scopes
                }
            } catch {
                diagnostics += error.diagnostics
            }
        }
        diagnostics += CommandSize.problems(plan, scopes: result)
        if !diagnostics.isEmpty { throw PlanError(diagnostics) }
        return result
    }

    /// The scopes of one partition; nil for `lines-of`, which is known only at run time.
    static func scopes(of partition: Partition, stage: Stage, baseDirectory: String) throws(PlanError) -> [String]? {
        let at = stage.location(of: "partition")
        switch partition {
        case .items(let items):
            return items
        case .linesOf:
            return nil
        case .directories(let root, let depth):
            let absolute = try directory(root, base: baseDirectory, at: at)
            var found: [String] = []
            try walk(absolute, relative: "", depth: 0, root: root, at: at) { relative, isDirectory, level in
                if isDirectory && level == depth { found.append(relative) }
                return isDirectory && level < depth
            }
            return found.map { join(root, $0) }.sorted(by: Scope.byteOrder)
        case .files(let root, let pattern, let grouping):
            let absolute = try directory(root, base: baseDirectory, at: at)
            let glob: Glob
            do { glob = try Glob(pattern) } catch {
                throw PlanError(at, "invalid glob '\(pattern)': \(error)")
            }
            var found: [String] = []
            try walk(absolute, relative: "", depth: 0, root: root, at: at) { relative, isDirectory, _ in
                if !isDirectory && glob.matches(relative) { found.append(relative) }
                return isDirectory
            }
            let files = found.map { join(root, $0) }.sorted(by: Scope.byteOrder)
            switch grouping {
            case .perTask(let n):
                return stride(from: 0, to: files.count, by: n).map {
                    files[$0..<min($0 + n, files.count)].joined(separator: "\n")
                }
            case .byExtension:
                var groups: [String: [String]] = [:]
                for file in files { groups[fileExtension(file), default: []].append(file) }
                return groups.keys.sorted(by: Scope.byteOrder).map { groups[$0]!.joined(separator: "\n") }
            }
        }
    }

    /// The extension of a file name (`swift` for `a/b.swift`), or "" when it has none.
    static func fileExtension(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...])
    }

    static func join(_ root: String, _ relative: String) -> String {
        var base = root
        while base.count > 1, base.hasSuffix("/") { base.removeLast() }
        if base == "." { return relative }
        return base == "/" ? "/" + relative : base + "/" + relative
    }

    static func directory(_ root: String, base: String, at: SourceLocation) throws(PlanError) -> String {
        let absolute = root.hasPrefix("/") ? root : base + "/" + root
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) else {
            throw PlanError(at, "partition root '\(root)' does not exist (looked in \(base))")
        }
        guard isDirectory.boolValue else { throw PlanError(at, "partition root '\(root)' is not a directory") }
        return absolute
    }

    /// Depth-first walk; `visit(relativePath, isDirectory, depth)` returns whether to descend.
    /// A name that is not UTF-8 is an error at `at` (it is shown with its bytes escaped).
    static func walk(_ absolute: String, relative: String, depth: Int, root: String, at: SourceLocation,
                     _ visit: (String, Bool, Int) -> Bool) throws(PlanError) {
        for (name, isDirectory) in try entries(of: absolute, relative: relative, root: root, at: at) {
            let child = relative.isEmpty ? name : relative + "/" + name
            if visit(child, isDirectory, depth + 1), isDirectory {
                try walk(absolute + "/" + name, relative: child, depth: depth + 1, root: root, at: at, visit)
            }
        }
    }

    /// The visible directories and files of a folder, in byte order, with whether each is a
    /// directory; symbolic links count as what they point at, but for directories, which are left out.
    static func entries(of absolute: String, relative: String, root: String, at: SourceLocation) throws(PlanError) -> [(String, Bool)] {
        guard let directory = opendir(absolute) else { return [] }
        defer { closedir(directory) }
        var found: [(String, Bool)] = []
        while let entry = readdir(directory) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            guard let first = bytes.first, first != UInt8(ascii: ".") else { continue }
            guard let name = String(validating: bytes, as: UTF8.self), !bytes.contains(0x0A) else {
                let shown = join(root, (relative.isEmpty ? "" : relative + "/") + escaped(bytes))
                let problem = String(validating: bytes, as: UTF8.self) == nil ? "is not UTF-8" : "holds a newline"
                throw PlanError(at, "'\(shown)' \(problem), and a scope must be one line of UTF-8 text: rename it, or move it out of the partition's root")
            }
            let path = absolute + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            var kind = info.st_mode & S_IFMT
            if kind == S_IFLNK {
                // What the link points at; a link to a directory is not followed, nor is it a file.
                guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
                kind = S_IFREG
            }
            guard kind == S_IFDIR || kind == S_IFREG else { continue }
            found.append((name, kind == S_IFDIR))
        }
        return found.sorted { Scope.byteOrder($0.0, $1.0) }
    }

    /// A file name as text: valid UTF-8 stays as it is but for its controls, a newline as `\n`
    /// and the others as `\xHH`; in a name that is not UTF-8, every byte that is not printable
    /// ASCII is `\xHH`.
    static func escaped(_ bytes: [UInt8]) -> String {
        func hex(_ byte: UInt8) -> String { "\\x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true) }
        if let text = String(validating: bytes, as: UTF8.self) {
            return text.unicodeScalars.map { scalar in
                if scalar == "\n" { return "\\n" }
                if scalar.value < 0x20 || scalar.value == 0x7F { return hex(UInt8(scalar.value)) }
                return String(scalar)
            }.joined()
        }
        return bytes.map { (0x20..<0x7F).contains($0) ? String(UnicodeScalar($0)) : hex($0) }.joined()
    }
}
