/// Timings and limits of the coordinator's scheduling. Every default is documented in
/// docs/reliability.md.
package struct CoordinatorSettings: Sendable {
    /// How often nodes and the coordinator say they are alive, in seconds. Default 0.5.
    package var heartbeatInterval: Double
    /// A node that has been silent for this many intervals is suspect: it gets no new work. Default 3.
    package var suspectAfterMissed: Int
    /// Seconds a suspect node gets before it is declared down and its unfinished work goes
    /// back to the pool. Default 1.5 (so a silent node is down after 3 s).
    package var downGrace: Double
    /// An assignment a node has not acknowledged is sent again after this many seconds. Default 2.
    package var assignResendAfter: Double
    /// Bytes of stdout kept per task. Default 8 MiB.
    package var outputCap: Int
    /// Finished runs kept in memory for `swell status` and re-attaching clients. Default 100.
    package var keepFinishedRuns: Int
    /// The endpoint shown by `swell status`.
    package var endpoint: String
    /// After a restart, how long work in flight waits for the node that had it to join again
    /// (it is adopted, not run again) before it goes back to the pool, in seconds. Default 10.
    package var resumeGrace: Double
    /// The largest output a stage may have, in bytes; a stage whose output would be larger
    /// fails and says so. Default 256 MiB.
    package var stageOutputLimit: Int
    /// True for the coordinator inside `swell run`: its runs live as long as that process, and
    /// it resumes none. Default false.
    package var embedded: Bool
    /// How peers are admitted; `swell status` shows it. Default `loopback`.
    package var security: SecurityMode
    /// True when peers are admitted by CURVE key: every message carries the ZAP User-Id
    /// `role:name` it was admitted under, and the scheduler holds peers to it.
    package var authenticated: Bool { security == .curve }

    package init(
        heartbeatInterval: Double = 0.5,
        suspectAfterMissed: Int = 3,
        downGrace: Double = 1.5,
        assignResendAfter: Double = 2,
        outputCap: Int = 8 << 20,
        keepFinishedRuns: Int = 100,
        endpoint: String = "",
        resumeGrace: Double = 10,
        stageOutputLimit: Int = 256 << 20,
        embedded: Bool = false,
        security: SecurityMode = .loopback
    ) {
        self.embedded = embedded
        self.security = security
        self.resumeGrace = resumeGrace
        self.stageOutputLimit = stageOutputLimit
        self.heartbeatInterval = heartbeatInterval
        self.suspectAfterMissed = suspectAfterMissed
        self.downGrace = downGrace
        self.assignResendAfter = assignResendAfter
        self.outputCap = outputCap
        self.keepFinishedRuns = keepFinishedRuns
        self.endpoint = endpoint
    }

    var suspectAfter: Double { heartbeatInterval * Double(suspectAfterMissed) }
    var downAfter: Double { suspectAfter + downGrace }
}

/// A point in time as the scheduler sees it: a monotonic reading for timeouts and the wall
/// clock for records.
package struct Moment: Sendable {
    /// Seconds on a monotonic clock.
    package var monotonic: Double
    /// Seconds since 1970.
    package var wall: Double

    package init(monotonic: Double, wall: Double) {
        self.monotonic = monotonic
        self.wall = wall
    }
}

/// How a coordinator admits peers.
package enum SecurityMode: String, Sendable {
    /// By CURVE key, as the authorized file says.
    case curve
    /// Anyone who can connect, on a loopback address (or in-process).
    case loopback
    /// Anyone who can connect, beyond loopback (`--insecure`).
    case insecure
}
