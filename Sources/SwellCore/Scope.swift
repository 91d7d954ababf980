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
        // One hash lookup per path; only paths with a `/` can sit inside another.
        var owners: [String: Int] = [:]
        owners.reserveCapacity(scopes.count)
        var nested: [(path: String, owner: Int)] = []
        // A path another scope has already claimed, and that scope, or nil.
        func claim(_ raw: String, by owner: Int) -> (path: String, other: Int)? {
            let path = normalize(raw)
            if let other = owners.updateValue(owner, forKey: path), other != owner { return (path, other) }
            if path.utf8.contains(UInt8(ascii: "/")) { nested.append((path, owner)) }
            return nil
        }
        for (owner, scope) in scopes.enumerated() {
            // Most scopes are one path: no array for them.
            if scope.utf8.contains(UInt8(ascii: "\n")) {
                for raw in paths(of: scope) {
                    if let found = claim(raw, by: owner) { return (found.other, owner, found.path, found.path) }
                }
            } else if !scope.isEmpty, let found = claim(scope, by: owner) {
                return (found.other, owner, found.path, found.path)
            }
        }
        var best: (first: Int, second: Int, firstPath: String, secondPath: String)?
        for (path, owner) in nested {
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
        guard path.hasPrefix("./") || path.utf8.last == UInt8(ascii: "/") else { return path }
        var p = Substring(path)
        while p.hasPrefix("./") { p = p.dropFirst(2) }
        while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
        return String(p)
    }

}
