
/// A run as it was accepted: its plan, the overrides and static scopes it came with. What the
/// journal keeps to take the run up again after a restart.
package struct RunAcceptance: Sendable, Hashable, Codable {
    package var id: String
    package var name: String
    package var file: String
    package var planText: String
    package var overrides: [VarOverride]
    package var scopes: [String: [String]]
    package var createdAt: Double
    /// The plan file's folder below the root its nodes' `--workdir` stands for (`RunFolder`).
    package var folder: String
    /// The prompt templates the client read, by stage id.
    package var prompts: [String: String]
    /// The run's budget (the plan's, with `--budget` over it); nil: none.
    package var budget: Budget?

    package init(id: String, name: String, file: String, planText: String, overrides: [VarOverride],
                 scopes: [String: [String]], createdAt: Double, folder: String = "",
                 prompts: [String: String] = [:], budget: Budget? = nil) {
        self.prompts = prompts
        self.budget = budget
        self.id = id
        self.name = name
        self.file = file
        self.planText = planText
        self.overrides = overrides
        self.scopes = scopes
        self.createdAt = createdAt
        self.folder = folder
    }
}
