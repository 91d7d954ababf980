/// Where a share of a fan-out stage stands.
package enum ShareStatus: String, Sendable, Codable, CaseIterable {
    /// Handed to a node, which runs it.
    case running
    /// A share of a resumed run, still on the node that ran it before the coordinator
    /// restarted: adopted when that node joins again, handed out again after the resume grace.
    case awaiting
    /// Its node was lost; it waits to be handed out again.
    case orphaned
    /// Every task is final and the summary, if any, is in.
    case done
}
