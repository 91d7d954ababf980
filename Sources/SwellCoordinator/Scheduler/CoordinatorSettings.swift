package import SwellCore
/// Timings and limits of the coordinator's scheduling. Every default is documented in
/// docs/reliability.md.
package struct CoordinatorSettings: Sendable {
    /// How often nodes and the coordinator say they are alive. Default 500 ms.
    package var heartbeatInterval: Duration
    /// A node that has been silent for this many intervals is suspect: it gets no new work. Default 3.
    package var suspectAfterMissed: Int
    /// How long a suspect node gets before it is declared down and its unfinished work goes
    /// back to the pool. Default 1.5 s (so a silent node is down after 3 s).
    package var downGrace: Duration
    /// An assignment a node has not acknowledged is sent again after this long. Default 2 s.
    package var assignResendAfter: Duration
    /// Bytes of stdout kept per task. Default 8 MiB.
    package var outputCap: Int
    /// Finished runs kept in memory for `swell status` and re-attaching clients. Default 100.
    package var keepFinishedRuns: Int
    /// The endpoint shown by `swell status`.
    package var endpoint: String
    /// After a restart, how long work in flight waits for the node that had it to join again
    /// (it is adopted, not run again) before it goes back to the pool. Default 10 s.
    package var resumeGrace: Duration
    /// The largest output a stage may have, in bytes; a stage whose output would be larger
    /// fails and says so. Default 256 MiB.
    package var stageOutputLimit: Int
    /// A task's stdin (or a reduction's input) larger than this does not travel in its ASSIGN:
    /// the node asks for it in pieces of ``inputPieceSize``. Default 1 MiB.
    package var inlineInputLimit: Int
    /// How long a stage waits for a node with its `labels` when no live node has them, before it
    /// fails and says so. Default 10 minutes.
    package var labelWait: Duration
    /// True for the coordinator inside `swell run`: its runs live as long as that process, and
    /// it resumes none. Default false.
    package var embedded: Bool
    /// Named limits shared by every run (`--limit NAME=N,M/min`). Default none.
    package var limits: [String: LimitRule] = [:]
    /// How long a node runs tasks under leases without word from the coordinator before it
    /// stops them; a lost node's leases are handed on this long (plus the time to count it
    /// down and the stop grace) after it was last heard from. Default 30 s.
    package var leaseHold: Duration = .seconds(30)
    /// How peers are admitted; `swell status` shows it. Default `loopback`.
    package var security: SecurityMode
    /// True when peers are admitted by CURVE key: every message carries the ZAP User-Id
    /// `role:name` it was admitted under, and the scheduler holds peers to it.
    package var authenticated: Bool { security == .curve }

    package init(
        heartbeatInterval: Duration = .milliseconds(500),
        suspectAfterMissed: Int = 3,
        downGrace: Duration = .milliseconds(1_500),
        assignResendAfter: Duration = .seconds(2),
        outputCap: Int = 8 << 20,
        keepFinishedRuns: Int = 100,
        endpoint: String = "",
        resumeGrace: Duration = .seconds(10),
        stageOutputLimit: Int = 256 << 20,
        inlineInputLimit: Int = 1 << 20,
        embedded: Bool = false,
        security: SecurityMode = .loopback,
        labelWait: Duration = .seconds(600)
    ) {
        self.labelWait = labelWait
        self.embedded = embedded
        self.security = security
        self.resumeGrace = resumeGrace
        self.stageOutputLimit = stageOutputLimit
        self.inlineInputLimit = inlineInputLimit
        self.heartbeatInterval = heartbeatInterval
        self.suspectAfterMissed = suspectAfterMissed
        self.downGrace = downGrace
        self.assignResendAfter = assignResendAfter
        self.outputCap = outputCap
        self.keepFinishedRuns = keepFinishedRuns
        self.endpoint = endpoint
    }

    /// The most bytes of an input one INPUT carries.
    static let inputPieceSize = 1 << 20

    var suspectAfter: Duration { heartbeatInterval * suspectAfterMissed }
    /// A gap between clock ticks longer than this is the coordinator's own stall (its ticks
    /// come every 100 ms).
    var stallAfter: Duration { max(heartbeatInterval, .milliseconds(300)) }
    var downAfter: Duration { suspectAfter + downGrace }
}
