import Foundation

/// How a node finds a program named without a `/`: through its own PATH, read once when it
/// starts, never through a PATH that a plan sets for its tasks.
package enum ProgramSearch {
    /// This process's PATH: its absolute folders.
    package static let searchPath: [String] = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin")
        .split(separator: ":").filter { $0.hasPrefix("/") }.map(String.init)

    /// The file that runs for `program`: itself if it names a path (a relative one is read from
    /// the task's working directory), else the first executable
    /// regular file of that name in the search path; nil if there is none.
    package static func resolve(_ program: String, in searchPath: [String] = searchPath) -> String? {
        if program.contains("/") { return program }
        for directory in searchPath {
            let candidate = "\(directory)/\(program)"
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}
