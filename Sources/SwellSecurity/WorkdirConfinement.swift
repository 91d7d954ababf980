import Foundation
import SwellCore

/// `--workdir` confinement: scopes must be paths inside the working directory.
package enum WorkdirConfinement {
    /// Why a scope points outside the working directory, or nil.
    package static func problem(scope: String) -> String? {
        for path in Scope.paths(of: scope) {
            if path.hasPrefix("/") { return "scope '\(path)' is an absolute path, outside this node's --workdir" }
            var depth = 0
            for component in path.split(separator: "/") {
                if component == ".." { depth -= 1 } else if component != "." { depth += 1 }
                if depth < 0 { return "scope '\(path)' climbs out of this node's --workdir" }
            }
        }
        return nil
    }
}
