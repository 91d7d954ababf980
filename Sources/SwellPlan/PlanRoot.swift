import Foundation

/// The root of the tree a plan is in: what each node's `--workdir` stands for. Tasks run in the
/// plan's folder below it (`RunFolder`), on every node as under the embedded default.
package enum PlanRoot {
    /// The top of the git checkout (or worktree) that holds `folder`: the nearest folder, from
    /// `folder` up, with a `.git` entry. `folder` itself when it is in no checkout.
    /// `folder` is absolute and standardized.
    package static func find(from folder: String) -> String {
        var candidate = URL(fileURLWithPath: folder, isDirectory: true)
        while true {
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent(".git").path) {
                return candidate.standardizedFileURL.path
            }
            let parent = candidate.deletingLastPathComponent()
            if parent.path == candidate.path { return folder }
            candidate = parent
        }
    }
}
