/// The order a fan-out's tasks start in (`order`). Reports, summaries and outputs are in scope
/// order whatever it is.
package enum TaskOrder: String, Sendable, Codable, CaseIterable {
    /// The longest first, as they ran in the plan's latest earlier run; scope order without one.
    case longestFirst = "longest-first"
    /// Scope order, always.
    case scope
}
