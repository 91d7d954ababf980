import Foundation
package import SwellCore

/// `--workdir` confinement: scopes must be paths inside the working directory.
package enum WorkdirConfinement {
    /// Why a scope, read from the run's folder (`RunFolder`), points outside the working
    /// directory, or nil.
    package static func problem(scope: String, folder: String = "") -> String? {
        if let problem = RunFolder.problem(folder) { return problem }
        for path in Scope.paths(of: scope) {
            if path.hasPrefix("/") { return "scope '\(Scope.shortened(path))' is an absolute path, outside this node's --workdir" }
            var depth = RunFolder.depth(folder)
            for component in path.split(separator: "/") {
                if component == ".." { depth -= 1 } else if component != "." { depth += 1 }
                if depth < 0 { return "scope '\(Scope.shortened(path))' climbs out of this node's --workdir" }
            }
        }
        return nil
    }
}
