import Foundation
import SwellCore

/// The prompt templates of a plan's stages (`prompt: FILE`), read on the host that runs
/// `swell run`, as its static scopes are: they travel with the plan, so nodes need not have them.
package enum PromptFiles {
    /// The largest prompt file, and the most all of a plan's prompts may hold (they travel in
    /// one message with the plan).
    package static let maximumBytes = 1 << 20
    package static let maximumTotalBytes = 16 << 20

    /// Each stage's prompt text, by stage id; every file that cannot be used is an error at its stage.
    package static func load(_ plan: Plan, baseDirectory: String) throws(PlanError) -> [String: String] {
        var prompts: [String: String] = [:]
        var problems: [PlanDiagnostic] = []
        for stage in plan.stages {
            guard let file = stage.prompt else { continue }
            let path = file.hasPrefix("/") ? file : baseDirectory + "/" + file
            let at = stage.location(of: "prompt")
            var info = stat()
            guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, let data = FileManager.default.contents(atPath: path) else {
                problems.append(PlanDiagnostic(at, "prompt file '\(file)' cannot be read (looked in \(baseDirectory))"))
                continue
            }
            guard data.count <= maximumBytes else {
                problems.append(PlanDiagnostic(at, "prompt file '\(file)' is \(data.count) bytes; the limit is \(maximumBytes)"))
                continue
            }
            guard let text = String(data: data, encoding: .utf8), !text.utf8.contains(0) else {
                problems.append(PlanDiagnostic(at, "prompt file '\(file)' is not UTF-8 text"))
                continue
            }
            let known = Set(plan.vars.map(\.name))
            for name in Placeholders.names(in: text) where name.hasPrefix("vars.") && !known.contains(String(name.dropFirst(5))) {
                let listing = known.isEmpty ? "the plan has no vars" : "known: " + known.sorted().joined(separator: ", ")
                problems.append(PlanDiagnostic(at, "prompt file '\(file)' uses {\(name)}, which names no var of this plan; \(listing)"))
            }
            prompts[stage.id] = text
        }
        let total = prompts.values.reduce(0) { $0 + $1.utf8.count }
        if total > maximumTotalBytes, let first = plan.stages.first(where: { $0.prompt != nil }) {
            problems.append(PlanDiagnostic(first.location(of: "prompt"),
                "the plan's prompts hold \(total >> 20) MiB in all; at most \(maximumTotalBytes >> 20) MiB travel with a plan"))
        }
        if !problems.isEmpty { throw PlanError(problems) }
        return prompts
    }
}
