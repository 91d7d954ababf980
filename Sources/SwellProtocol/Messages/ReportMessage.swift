package import SwellCore

/// One finished task: REPORT (node -> coordinator), kept in the node's outbox until acknowledged;
/// and RELAY (coordinator -> node), a final report of a task that ran on another node, for the
/// sub-orchestrator whose share it belongs to.
package struct ReportMessage: Sendable, Codable {
    package var id: UInt64
    package var report: Report

    package init(id: UInt64, report: Report) {
        self.id = id
        self.report = report
    }
}
