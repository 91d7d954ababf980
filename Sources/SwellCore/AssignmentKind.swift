

/// What a node is asked to run of one stage.
package enum AssignmentKind: String, Sendable, Codable, CaseIterable {
    /// A share: a contiguous slice of the stage's scopes, run in task waves and summarized.
    case share
    /// One failed task of a share, run again (on another node where one is free).
    case retry
    /// The stage's synthesis or tree reduction: one task over the share summaries.
    case reduce
}
