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
