import Foundation
package import SwellSecurity
package import SwellZMQ

/// How a node joins and what it offers.
package struct NodeConfiguration: Sendable {
    /// The coordinator's endpoint, `tcp://HOST:PORT` (or `inproc://...` inside `swell run`).
    package var join: String
    /// The name the node asks to be known by. Default: the host name.
    package var name: String
    /// Tasks the node runs at once, across all its shares. Default 10.
    package var slots: Int
    package var labels: [String]
    /// Where tasks run. Default: the current directory.
    package var workingDirectory: String
    /// The embedded node of `swell run` runs every stage whatever its `labels`.
    package var acceptsAnyLabels: Bool
    /// How often the node says it is alive until the coordinator's WELCOME says otherwise. Default 0.5 s.
    package var heartbeatInterval: Duration
    /// An unacknowledged report or summary is sent again after this long. Default 2 s.
    package var resendAfter: Duration
    /// ZMTP heartbeats on the connection (off for inproc).
    package var transportHeartbeat: ZMQSocketConfiguration.Heartbeat?
    package var curve: ZMQSocketConfiguration.Curve?
    /// What tasks may run (`--allow`); nil: anything.
    package var allow: AllowList?
    /// Refuse tasks whose scopes point outside `workingDirectory` (`--workdir` given).
    package var confined: Bool

    package init(
        join: String,
        name: String = NodeConfiguration.defaultName,
        slots: Int = 10,
        labels: [String] = [],
        workingDirectory: String = FileManager.default.currentDirectoryPath,
        acceptsAnyLabels: Bool = false,
        heartbeatInterval: Duration = .milliseconds(500),
        resendAfter: Duration = .seconds(2),
        transportHeartbeat: ZMQSocketConfiguration.Heartbeat? = .standard,
        curve: ZMQSocketConfiguration.Curve? = nil,
        allow: AllowList? = nil,
        confined: Bool = false
    ) {
        self.allow = allow
        self.confined = confined
        self.join = join
        self.name = name
        self.slots = slots
        self.labels = labels
        self.workingDirectory = workingDirectory
        self.acceptsAnyLabels = acceptsAnyLabels
        self.heartbeatInterval = heartbeatInterval
        self.resendAfter = resendAfter
        self.transportHeartbeat = transportHeartbeat
        self.curve = curve
    }

    /// The host name, or `node` if it cannot be read.
    package static var defaultName: String {
        let host = ProcessInfo.processInfo.hostName
        return host.isEmpty ? "node" : String(host.split(separator: ".").first ?? "node")
    }
}
