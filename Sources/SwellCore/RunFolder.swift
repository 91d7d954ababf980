/// Where a run's tasks run on a node: the plan file's folder, as a path relative to the root of
/// the tree the plan is in (its checkout). A node's `--workdir` stands for that root, so a task
/// of a plan in `examples/` runs in `WORKDIR/examples`, as it runs in the plan's folder under the
/// embedded default, and a scope `../Sources` names the same folder in both.
package enum RunFolder {
    /// Why `folder` cannot be a run's folder, or nil: it must be relative and go down only
    /// (`""` is the root itself).
    package static func problem(_ folder: String) -> String? {
        if folder.isEmpty { return nil }
        if folder.utf8.contains(0) { return "the plan's folder contains a NUL byte" }
        if folder.hasPrefix("/") { return "the plan's folder '\(folder)' is an absolute path, not one relative to the root" }
        if folder.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
            return "the plan's folder '\(folder)' must name folders below the root, without '.', '..' or empty parts"
        }
        return nil
    }

    /// The folder's depth below the root: `examples/ci` is 2.
    package static func depth(_ folder: String) -> Int {
        folder.isEmpty ? 0 : folder.split(separator: "/").count
    }

    /// The directory where tasks run: `root/folder`.
    package static func directory(_ folder: String, in root: String) -> String {
        if folder.isEmpty { return root }
        return root.hasSuffix("/") ? root + folder : root + "/" + folder
    }

    /// `folder` relative to `root`, both absolute and standardized, or nil when `folder` is
    /// not `root` or below it.
    package static func relative(_ folder: String, to root: String) -> String? {
        if folder == root { return "" }
        let prefix = root.hasSuffix("/") ? root : root + "/"
        guard folder.hasPrefix(prefix) else { return nil }
        return String(folder.dropFirst(prefix.count))
    }
}
