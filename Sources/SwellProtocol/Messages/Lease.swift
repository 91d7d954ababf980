/// One task attempt that starts only under a lease of its stage's limits (`uses`).
package struct LeaseRef: Sendable, Codable, Hashable, Comparable {
    package var run: String
    package var stage: String
    package var index: Int
    package var attempt: Int

    package init(run: String, stage: String, index: Int, attempt: Int) {
        self.run = run
        self.stage = stage
        self.index = index
        self.attempt = attempt
    }

    package static func < (a: LeaseRef, b: LeaseRef) -> Bool {
        (a.run, a.stage, a.index, a.attempt) < (b.run, b.stage, b.index, b.attempt)
    }
}

/// Task attempts and their leases, both ways, as REPORT and RELAY share one message.
///
/// LEASE? (node -> coordinator): the node has a slot for each of `tasks` and waits to start it.
/// Sent when a task is ready, and again every resend interval and after each WELCOME for those
/// not granted yet; asking again for a task already granted gets its grant again.
///
/// LEASE (coordinator -> node): the node may start these tasks now. A lease ends with the
/// attempt's REPORT; see protocol.md for when a lost node's leases are handed on.
package struct LeaseList: Sendable, Codable {
    package var id: UInt64
    package var tasks: [LeaseRef]

    package init(id: UInt64, tasks: [LeaseRef]) {
        self.id = id
        self.tasks = tasks
    }
}
