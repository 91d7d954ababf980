import Logging
import ServiceLifecycle
import SwellSecurity
import SwellZMQ

/// What a `swell-node` process is asked to do, its options checked.
package struct NodeOptions: Sendable {
    package var join: String
    package var name: String
    package var slots: Int
    package var labels: [String]
    /// Given: tasks run there and scopes may not climb out of it. Nil: the current directory.
    package var workdir: String?
    /// This node's secret key file and the coordinator's public key: both or neither.
    package var keyFile: String?
    package var coordinatorKey: String?
    /// `--allow` patterns; empty: anything runs.
    package var allow: [String]

    package init(join: String, name: String = NodeConfiguration.defaultName, slots: Int = 10, labels: [String] = [],
                 workdir: String? = nil, keyFile: String? = nil, coordinatorKey: String? = nil, allow: [String] = []) {
        self.join = join
        self.name = name
        self.slots = slots
        self.labels = labels
        self.workdir = workdir
        self.keyFile = keyFile
        self.coordinatorKey = coordinatorKey
        self.allow = allow
    }
}
