/// The order a fan-out's tasks start in (`order`). Reports, summaries and outputs are in scope
/// order whatever it is.
package enum TaskOrder: String, Sendable, Codable, CaseIterable {
    /// The longest first, as they ran in the plan's latest earlier runs; scope order without them.
    case longestFirst = "longest-first"
    /// Scope order, always.
    case scope
}
