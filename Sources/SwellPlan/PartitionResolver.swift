import Foundation
import SwellCore

/// Lists the scopes of `directories`, `files` and `items` partitions on the host that runs
/// `swell run`, relative to the plan file's folder, sorted in byte order.
///
/// Hidden entries (names starting with `.`, such as `.git` or `.build`) are skipped, and
/// symbolic links to directories are not followed.
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
            walk(absolute, relative: "", depth: 0) { relative, isDirectory, level in
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
            walk(absolute, relative: "", depth: 0) { relative, isDirectory, _ in
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
    static func walk(_ absolute: String, relative: String, depth: Int, _ visit: (String, Bool, Int) -> Bool) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: absolute) else { return }
        for name in entries.sorted(by: Scope.byteOrder) where !name.hasPrefix(".") {
            let path = absolute + "/" + name
            let child = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            let isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
            let isFile = (info.st_mode & S_IFMT) == S_IFREG || (info.st_mode & S_IFMT) == S_IFLNK
            guard isDirectory || isFile else { continue }
            if visit(child, isDirectory, depth + 1), isDirectory {
                walk(path, relative: child, depth: depth + 1, visit)
            }
        }
    }
}
