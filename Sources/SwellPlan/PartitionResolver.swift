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
            let found = try scopes(under: absolute, root: root, at: at) { _, isDirectory, level in
                (isDirectory && level == depth, isDirectory && level < depth)
            }
            return found.map { join(root, $0) }.sorted(by: Scope.byteOrder)
        case .files(let root, let pattern, let grouping):
            let absolute = try directory(root, base: baseDirectory, at: at)
            let glob: Glob
            do { glob = try Glob(pattern) } catch {
                throw PlanError(at, "invalid glob '\(pattern)': \(error)")
            }
            let found = try scopes(under: absolute, root: root, at: at) { relative, isDirectory, _ in
                (!isDirectory && glob.matches(relative), isDirectory)
            }
            let files = found.map { join(root, $0) }.sorted(by: Scope.byteOrder)
            switch grouping {
            case .perTask(let n):
                return stride(from: 0, to: files.count, by: n).map {
                    files[$0..<min($0 + n, files.count)].joined(separator: "\n")
                }
            case .byExtension:
                // By the extension's bytes: `.café` composed and decomposed are two extensions,
                // as their files are two files.
                var groups: [ByteString: [String]] = [:]
                for file in files { groups[ByteString(fileExtension(file)), default: []].append(file) }
                return groups.keys.map(\.text).sorted(by: Scope.byteOrder).map { groups[ByteString($0)]!.joined(separator: "\n") }
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

    /// The names of at most this many names that cannot be scopes are shown, then how many more.
    static let unfitShown = 10

    /// The paths below `absolute` that `visit` takes for scopes, by a depth-first walk.
    ///
    /// A name that cannot be a scope (not UTF-8, or holding a newline) is an error at `at` when
    /// it would be one, or would be walked into (what is below it would be named through it),
    /// and is passed over otherwise: a file a glob leaves out, a file in a `directories`
    /// partition. Every such name is found before the error, which shows the first
    /// ``unfitShown`` readably, their folders too, and counts the rest: one fix, one retry.
    static func scopes(under absolute: String, root: String, at: SourceLocation,
                       _ visit: (String, Bool, Int) -> (scope: Bool, descend: Bool)) throws(PlanError) -> [String] {
        var found: [String] = []
        // The first ``unfitShown`` problems, and how many there are of each kind.
        var shown: [String] = []
        var unfitCount = 0, unreadableCount = 0
        walk(absolute, relative: "", depth: 0, visit) { relative, _, bytes in
            unfitCount += 1
            guard shown.count < unfitShown else { return }
            let name = join(root, (relative.isEmpty ? "" : TerminalText.visible(relative) + "/") + escaped(bytes))
            var problems: [String] = []
            if String(validating: bytes, as: UTF8.self) == nil { problems.append("is not UTF-8") }
            if bytes.contains(0x0A) { problems.append("holds a newline") }
            shown.append("'\(name)' \(problems.joined(separator: " and ")), and a scope must be one line of UTF-8 text: "
                + "rename it, or move it out of the partition's root")
        } unreadable: { relative, error, isFolder in
            // What cannot be listed or looked at is not left out in silence either.
            unreadableCount += 1
            guard shown.count < unfitShown else { return }
            let name = relative.isEmpty ? root : join(root, TerminalText.visible(relative))
            let reason = String(cString: strerror(error))
            let fix = error == ENAMETOOLONG ? "move it nearer the partition's root, or out of it"
                : "make \(isFolder ? "it" : "its folder") readable and searchable (chmod +rx), or move it out of the partition's root"
            shown.append(isFolder ? "cannot read the folder '\(name)': \(reason), so what it holds would be left out: \(fix)"
                : "cannot look at '\(name)': \(reason), so it would be left out: \(fix)")
        } found: { found.append($0) }
        let more = unfitCount + unreadableCount - shown.count
        guard !shown.isEmpty else { return found }
        var diagnostics = shown.map { PlanDiagnostic(at, $0) }
        if more > 0 {
            diagnostics.append(PlanDiagnostic(at, unreadableCount == 0
                ? "and \(more) more name\(more == 1 ? "" : "s") that cannot be scopes under '\(root)'"
                : "and \(more) more name\(more == 1 ? "" : "s") under '\(root)' that cannot be scopes or cannot be read"))
        }
        throw PlanError(diagnostics)
    }

    /// Depth-first walk; `visit(relativePath, isDirectory, depth)` says whether the entry is a
    /// scope and whether to descend into it. Scopes go to `found`; names that cannot be scopes
    /// but would be one, or would be walked into, go to `unfit` (with the relative folder they
    /// are in, and their bytes) and are not walked into; what cannot be read goes to
    /// `unreadable` (its relative path, and errno).
    private static func walk(_ absolute: String, relative: String, depth: Int, _ visit: (String, Bool, Int) -> (scope: Bool, descend: Bool),
                             unfit: (String, String, [UInt8]) -> Void, unreadable: (String, Int32, Bool) -> Void, found: (String) -> Void) {
        let (listed, failures) = entries(of: absolute)
        for (name, error) in failures { unreadable(name.isEmpty ? relative : (relative.isEmpty ? name : relative + "/" + name), error, name.isEmpty) }
        for entry in listed {
            let child = relative.isEmpty ? entry.name : relative + "/" + entry.name
            let verdict = visit(child, entry.isDirectory, depth + 1)
            if let bytes = entry.unfit {
                if verdict.scope || (verdict.descend && entry.isDirectory) { unfit(relative, entry.name, bytes) }
                continue
            }
            if verdict.scope { found(child) }
            if verdict.descend, entry.isDirectory {
                walk(absolute + "/" + entry.name, relative: child, depth: depth + 1, visit, unfit: unfit, unreadable: unreadable, found: found)
            }
        }
    }

    /// The visible directories and files of a folder, in byte order, with whether each is a
    /// directory; symbolic links count as what they point at, but for directories, which are
    /// left out. `unfit`: the bytes of a name that cannot be a scope (`name` then stands in for
    /// it, its odd bytes as U+FFFD).
    ///
    /// `failures`: what could not be read, with its errno: the folder itself (name "") when it
    /// cannot be opened, or an entry that cannot be looked at (a path longer than PATH_MAX, a
    /// folder without search permission).
    static func entries(of absolute: String) -> (entries: [(name: String, isDirectory: Bool, unfit: [UInt8]?)], failures: [(name: String, errno: Int32)]) {
        guard let directory = opendir(absolute) else { return ([], [("", errno)]) }
        defer { closedir(directory) }
        var found: [(name: String, isDirectory: Bool, unfit: [UInt8]?)] = []
        var failures: [(name: String, errno: Int32)] = []
        while let entry = readdir(directory) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            guard let first = bytes.first, first != UInt8(ascii: ".") else { continue }
            let valid = String(validating: bytes, as: UTF8.self)
            let fit = valid != nil && !bytes.contains(0x0A)
            var path = Array(absolute.utf8) + [UInt8(ascii: "/")] + bytes + [0]
            var info = stat()
            let kind: mode_t? = path.withUnsafeMutableBufferPointer { buffer in
                let cPath = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
                guard lstat(cPath, &info) == 0 else {
                    failures.append((fit ? valid! : escaped(bytes), errno))
                    return nil
                }
                let kind = info.st_mode & S_IFMT
                guard kind == S_IFLNK else { return kind }
                // What the link points at; a link to a directory is not followed, nor is it a file.
                guard stat(cPath, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
                return S_IFREG
            }
            guard let kind, kind == S_IFDIR || kind == S_IFREG else { continue }
            found.append((fit ? valid! : String(decoding: bytes, as: UTF8.self), kind == S_IFDIR, fit ? nil : bytes))
        }
        return (found.sorted { Scope.byteOrder($0.name, $1.name) }, failures)
    }

    /// A file name as text, as a terminal may show it: valid UTF-8 stays, a newline is `\n` and
    /// other controls are shown, not obeyed (see ``TerminalText``); a byte that is not part of
    /// valid UTF-8 is `\xHH`.
    static func escaped(_ bytes: [UInt8]) -> String {
        var out = ""
        var index = 0
        while index < bytes.count {
            // The longest valid character from here (UTF-8 characters are 1 to 4 bytes).
            var taken = 0
            for length in (1...min(4, bytes.count - index)).reversed() {
                if let text = String(validating: bytes[index..<index + length], as: UTF8.self), text.unicodeScalars.count == 1 {
                    out += text == "\n" ? "\\n" : TerminalText.visible(text)
                    taken = length
                    break
                }
            }
            if taken == 0 {
                out += "\\x" + (bytes[index] < 0x10 ? "0" : "") + String(bytes[index], radix: 16, uppercase: true)
                taken = 1
            }
            index += taken
        }
        return out
    }
}
