package import Foundation
import SwellCore

/// Scopes of `lines-of` partitions, computed from an earlier stage's output at run time.
package enum LinesOf {
    /// One scope per non-empty line (whitespace trimmed at both ends), in order; an error
    /// message when two lines are the same or overlap.
    package static func scopes(from output: Data, stage: String, source: String) -> Result<[String], LinesOfError> {
        let text = String(decoding: output, as: UTF8.self)
        let scopes = text.split(separator: "\n", omittingEmptySubsequences: true)
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
        if let overlap = Scope.firstOverlap(in: scopes) {
            let what = overlap.firstPath == overlap.secondPath
                ? "line \(overlap.second + 1) repeats '\(overlap.firstPath)'"
                : "'\(overlap.firstPath)' (line \(overlap.first + 1)) and '\(overlap.secondPath)' (line \(overlap.second + 1)) overlap"
            return .failure(LinesOfError(message:
                "stage '\(stage)': the output of '\(source)' cannot be its scopes: \(what); scopes must be unique and must not overlap (try `sort -u`)"))
        }
        return .success(scopes)
    }
}
