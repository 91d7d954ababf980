/// Scopes: what one task works on.
///
/// A scope is a string: a directory or file path, an item, or a line of an earlier stage's
/// output. A group of files (from a `files` partition) is its paths joined by newlines.
package enum Scope {
    /// The paths of a scope: one for most scopes, several for a file group, none for "".
    package static func paths(of scope: String) -> [String] {
        scope.isEmpty ? [] : scope.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// A short form for headers (the `markdown` input): a file group shows its first path and a count.
    package static func label(_ scope: String) -> String {
        let paths = paths(of: scope)
        if paths.count > 1 { return "\(paths[0]) (+\(paths.count - 1) more)" }
        return scope
    }

    /// The form for progress lines and messages: the ``label(_:)``, a long one cut to its start
    /// and its size, so that a scope of megabytes never fills a terminal.
    package static func shown(_ scope: String) -> String {
        let paths = paths(of: scope)
        if paths.count > 1 { return "\(shortened(paths[0])) (+\(paths.count - 1) more)" }
        return shortened(scope)
    }

    /// `text` as it is, or, beyond `limit` bytes, its first characters and its length.
    package static func shortened(_ text: String, limit: Int = 200) -> String {
        guard text.utf8.count > limit else { return text }
        var kept = ""
        for character in text {
            if kept.utf8.count + character.utf8.count > limit - 40 { break }
            kept.append(character)
        }
        return "\(kept)… (\(text.utf8.count) bytes)"
    }

    /// Byte-wise ordering, as the plan format requires for listed directories and files.
    package static func byteOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// A pair of scopes that are equal or overlap, with their positions and the paths (as
    /// written) that meet, or nil.
    ///
    /// Two paths overlap when they are equal or one is a directory prefix of the other
    /// (`src` and `src/core`), once `.`, `..` and repeated or trailing slashes are resolved as
    /// words (`a/../b` is `b`; `sub/../../x` is `../x`, outside `sub`). Symbolic links are not
    /// followed.
    package static func firstOverlap(in scopes: [String]) -> (first: Int, second: Int, firstPath: String, secondPath: String)? {
        // One hash lookup per path; only paths with a `/` can sit inside another.
        var owners: [ByteString: (owner: Int, raw: String)] = [:]
        owners.reserveCapacity(scopes.count)
        var nested: [(path: String, raw: String, owner: Int)] = []
        // A path another scope has already claimed, as written there, and that scope; or nil.
        func claim(_ raw: String, by owner: Int) -> (raw: String, other: Int)? {
            let path = normalize(raw)
            if let prior = owners[ByteString(path)] {
                if prior.owner != owner { return (prior.raw, prior.owner) }
                return nil
            }
            owners[ByteString(path)] = (owner, raw)
            if path.utf8.contains(UInt8(ascii: "/")) { nested.append((path, raw, owner)) }
            return nil
        }
        for (owner, scope) in scopes.enumerated() {
            // Most scopes are one path: no array for them.
            if scope.utf8.contains(UInt8(ascii: "\n")) {
                for raw in paths(of: scope) {
                    if let found = claim(raw, by: owner) { return (found.other, owner, found.raw, raw) }
                }
            } else if !scope.isEmpty, let found = claim(scope, by: owner) {
                return (found.other, owner, found.raw, scope)
            }
        }
        var best: (first: Int, second: Int, firstPath: String, secondPath: String)?
        func consider(_ a: (owner: Int, raw: String), _ b: (owner: Int, raw: String)) {
            let found = a.owner < b.owner ? (a.owner, b.owner, a.raw, b.raw) : (b.owner, a.owner, b.raw, a.raw)
            if best == nil || (found.0, found.1) < (best!.first, best!.second) { best = found }
        }
        // `.` (the plan's folder: `a/..` too) holds every relative path that stays inside it, and
        // `/` every absolute one; neither is an ancestor a path names.
        for root in [".", "/"] {
            guard let top = owners[ByteString(root)] else { continue }
            for (key, entry) in owners where entry.owner != top.owner && key.text != root {
                let path = key.text
                let inside = root == "/" ? path.hasPrefix("/") : !path.hasPrefix("/") && path != ".." && !path.hasPrefix("../")
                if inside { consider(top, entry) }
            }
        }
        for (path, raw, owner) in nested {
            for ancestor in ancestors(of: path) {
                guard let other = owners[ByteString(ancestor)], other.owner != owner else { continue }
                let found = other.owner < owner ? (other.owner, owner, other.raw, raw) : (owner, other.owner, raw, other.raw)
                if best == nil || (found.0, found.1) < (best!.first, best!.second) { best = found }
            }
        }
        return best
    }

    /// How two overlapping paths meet, for messages: `'x/' is the same path as 'x'`,
    /// `'src' contains 'src/core'`.
    package static func overlapDescription(_ first: String, _ second: String) -> String {
        let a = normalize(first), b = normalize(second)
        let one = shortened(first), other = shortened(second)
        if ByteString(a) == ByteString(b) {
            return ByteString(first) == ByteString(second) ? "'\(one)' appears twice" : "'\(other)' is the same path as '\(one)'"
        }
        return b.hasPrefix(a == "/" ? "/" : a + "/") || a == "." ? "'\(one)' contains '\(other)'" : "'\(other)' contains '\(one)'"
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

    /// The path with `.`, empty parts and `..` after a name resolved as words; a leading `/` is
    /// kept, and `..` at the start stays (`./a/../../x` is `../x`; `/..` is `/`).
    static func normalize(_ path: String) -> String {
        // The common case, a path of plain names, is returned as it is, without allocating.
        if isPlain(path) { return path }
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part == "..", absolute {
                continue
            } else {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// True when no part of the path is empty, `.` or `..` (a leading `/` aside).
    static func isPlain(_ path: String) -> Bool {
        var length = 0
        var dots = 0
        var first = true
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/") {
                if (length == 0 && !first) || (length > 0 && dots == length && length <= 2) { return false }
                length = 0
                dots = 0
                first = false
                continue
            }
            length += 1
            if byte == UInt8(ascii: ".") { dots += 1 }
        }
        return length > 0 && !(dots == length && length <= 2)
    }

}

/// A string compared and hashed by its UTF-8 bytes. Swift's `String` equality is canonical
/// equivalence: `café` written with `é` and with `e` and a combining accent are equal, yet they
/// name two different files. Scopes are bytes.
package struct ByteString: Hashable, Sendable {
    package let text: String
    package init(_ text: String) { self.text = text }

    package static func == (a: ByteString, b: ByteString) -> Bool { a.text.utf8.elementsEqual(b.text.utf8) }

    package func hash(into hasher: inout Hasher) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if done == nil { for byte in text.utf8 { hasher.combine(byte) } }
        hasher.combine(text.utf8.count)
    }
}
