/// Scopes: what one task works on.
///
/// A scope is a string: a directory or file path, an item, or a line of an earlier stage's
/// output. A group of files (from a `files` partition) is its paths joined by newlines.
package enum Scope {
    /// The paths of a scope: one for most scopes, several for a file group, none for "".
    package static func paths(of scope: String) -> [String] {
        scope.isEmpty ? [] : scope.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// A short form for headers and progress lines: a file group shows its first path and a count.
    package static func label(_ scope: String) -> String {
        let paths = paths(of: scope)
        if paths.count > 1 { return "\(paths[0]) (+\(paths.count - 1) more)" }
        return scope
    }

    /// Byte-wise ordering, as the plan format requires for listed directories and files.
    package static func byteOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// A pair of scopes that are equal or overlap, with their positions, or nil.
    ///
    /// Two paths overlap when they are equal or one is a directory prefix of the other
    /// (`src` and `src/core`). Trailing slashes and a leading `./` are ignored.
    package static func firstOverlap(in scopes: [String]) -> (first: Int, second: Int, firstPath: String, secondPath: String)? {
        var owners: [String: Int] = [:]
        var all: [(path: String, owner: Int)] = []
        for (owner, scope) in scopes.enumerated() {
            for path in paths(of: scope).map(normalize) {
                if let other = owners[path], other != owner { return (other, owner, path, path) }
                owners[path] = owner
                all.append((path, owner))
            }
        }
        var best: (first: Int, second: Int, firstPath: String, secondPath: String)?
        for (path, owner) in all {
            for ancestor in ancestors(of: path) {
                guard let other = owners[ancestor], other != owner else { continue }
                let found = other < owner ? (other, owner, ancestor, path) : (owner, other, path, ancestor)
                if best == nil || (found.0, found.1) < (best!.first, best!.second) { best = found }
            }
        }
        return best
    }

    /// `a/b/c` -> `a`, `a/b`; a leading `/` is kept.
    static func ancestors(of path: String) -> [String] {
        var result: [String] = []
        var index = path.startIndex
        while let slash = path[index...].firstIndex(of: "/") {
            if slash != path.startIndex { result.append(String(path[..<slash])) }
            index = path.index(after: slash)
        }
        return result
    }

    static func normalize(_ path: String) -> String {
        var p = Substring(path)
        while p.hasPrefix("./") { p = p.dropFirst(2) }
        while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
        return String(p)
    }

}
