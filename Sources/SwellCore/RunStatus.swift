/// Where a run stands. Only `running` is not final.
package enum RunStatus: String, Sendable, Codable, CaseIterable {
    case running
    /// Every stage succeeded.
    case succeeded
    /// Finished, with failed tasks or a stage that could not go on.
    case failed
    case cancelled
    /// Its budget was spent: no new task started, and it can be continued with a larger one.
    case budgetExhausted = "budget-exhausted"
}
