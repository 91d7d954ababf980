package import SwellCore

/// A plan to run (client -> coordinator). Directory and file partitions were listed by the
/// client, on the host that runs `swell run`.
package struct Submit: Sendable, Codable {
    package var id: UInt64
    /// The plan file's text and the name the user gave it.
    package var plan: String
    package var file: String
    package var overrides: [VarOverride]
    /// Scopes of static partitions, per stage id.
    package var scopes: [String: [String]]
    /// Send an EVENT for every finished task (for `--joblog` and live progress).
    package var taskEvents: Bool
    /// The plan file's folder below the root that each node's `--workdir` stands for: tasks
    /// run there (`RunFolder`). Absent: the root itself.
    package var folder: String?
    /// The prompt templates of stages with `prompt`, by stage id, read by the client.
    package var prompts: [String: String]?
    /// `--budget`: over the plan's `budget`.
    package var budget: Budget?
    /// Take up this finished run of the same plan again instead of starting a new one
    /// (`swell run --continue RUN` / `--retry-failed RUN`).
    package var resume: Resume?

    package struct Resume: Sendable, Codable, Hashable {
        package var run: String
        /// Run the tasks that failed for good again (and whatever reads their stages' outputs).
        package var failed: Bool

        package init(run: String, failed: Bool) {
            self.run = run
            self.failed = failed
        }
    }

    package init(id: UInt64, plan: String, file: String, overrides: [VarOverride],
                scopes: [String: [String]], taskEvents: Bool, folder: String? = nil,
                prompts: [String: String]? = nil) {
        self.prompts = prompts
        self.id = id
        self.plan = plan
        self.file = file
        self.overrides = overrides
        self.scopes = scopes
        self.taskEvents = taskEvents
        self.folder = folder
    }
}
