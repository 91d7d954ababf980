package import SwellCore
package import SwellZMQ
package import SwellProtocol

/// What `swell run` was asked to do.
package struct RunOptions: Sendable {
    package var planPath: String
    /// Nil for the embedded default.
    package var coordinator: String?
    package var slots: Int
    package var stateDirectory: String
    package var overrides: [VarOverride]
    package var json: Bool
    package var joblog: String?
    package var progress: ProgressReporter.Mode
    /// How long to wait for the coordinator to answer at first.
    package var connectTimeout: Duration
    /// The client's key pair and the coordinator's public key, for a coordinator that admits by key.
    package var curve: ZMQSocketConfiguration.Curve?
    /// The folder each node's `--workdir` stands for (`--root`); nil: found from the plan's folder.
    package var root: String?
    /// `--budget`, over the plan's.
    package var budget: Budget?
    /// `--continue RUN` / `--retry-failed RUN`: take up that finished run of the same plan.
    package var resume: Submit.Resume?

    package init(planPath: String, coordinator: String? = nil, slots: Int = 10, stateDirectory: String = StateDirectory.default,
                overrides: [VarOverride] = [], json: Bool = false, joblog: String? = nil,
                progress: ProgressReporter.Mode = ProgressReporter.automatic, connectTimeout: Duration = .seconds(5),
                curve: ZMQSocketConfiguration.Curve? = nil, root: String? = nil, budget: Budget? = nil,
                resume: Submit.Resume? = nil) {
        self.budget = budget
        self.resume = resume
        self.curve = curve
        self.root = root
        self.planPath = planPath
        self.coordinator = coordinator
        self.slots = slots
        self.stateDirectory = stateDirectory
        self.overrides = overrides
        self.json = json
        self.joblog = joblog
        self.progress = progress
        self.connectTimeout = connectTimeout
    }
}
