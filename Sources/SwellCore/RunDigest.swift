/// A run as `swell report` draws it, without its outputs: the run, its stages and its shares.
/// The journal makes it; a coordinator sends it with the first page of a brief LOGS reply.
package struct RunDigest: Sendable, Codable, Hashable {
    package var id: String
    package var name: String
    package var file: String
    package var planText: String
    package var status: RunStatus
    package var createdAt: Double
    package var endedAt: Double?
    package var error: String?
    package var stages: [Stage]
    package var shares: [Share]

    /// A stage: where it stands, when it ran and how many tasks (scopes) it has once known.
    package struct Stage: Sendable, Codable, Hashable {
        package var stage: String
        package var status: StageStatus
        package var tasks: Int?
        package var startedAt: Double?
        package var endedAt: Double?
        package var error: String?

        package init(stage: String, status: StageStatus, tasks: Int?, startedAt: Double?, endedAt: Double?, error: String?) {
            self.stage = stage
            self.status = status
            self.tasks = tasks
            self.startedAt = startedAt
            self.endedAt = endedAt
            self.error = error
        }
    }

    /// A share of a fan-out: its scopes `first ..< first + count`, the node that has (or had)
    /// it, and how many times it was handed out (more than 1: its node was lost).
    package struct Share: Sendable, Codable, Hashable {
        package var stage: String
        package var share: Int
        package var first: Int
        package var count: Int
        package var node: String
        package var attempt: Int
        package var status: ShareStatus

        package init(stage: String, share: Int, first: Int, count: Int, node: String, attempt: Int, status: ShareStatus) {
            self.stage = stage
            self.share = share
            self.first = first
            self.count = count
            self.node = node
            self.attempt = attempt
            self.status = status
        }
    }

    package init(id: String, name: String, file: String, planText: String, status: RunStatus, createdAt: Double,
                 endedAt: Double?, error: String?, stages: [Stage], shares: [Share]) {
        self.id = id
        self.name = name
        self.file = file
        self.planText = planText
        self.status = status
        self.createdAt = createdAt
        self.endedAt = endedAt
        self.error = error
        self.stages = stages
        self.shares = shares
    }
}
