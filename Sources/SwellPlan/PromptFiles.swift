import Foundation

/// The prompt templates of a plan's stages (`prompt: FILE`), read on the host that runs
/// `swell run`, as its static scopes are: they travel with the plan, so nodes need not have them.
package enum PromptFiles {
    /// The largest prompt file.
    package static let maximumBytes = 1 << 20

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
            prompts[stage.id] = text
        }
        if !problems.isEmpty { throw PlanError(problems) }
        return prompts
    }
}
