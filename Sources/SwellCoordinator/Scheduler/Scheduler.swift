package import Foundation
import SwellCore
package import SwellProtocol
import SwellPlan
import SwellSecurity

/// The coordinator's logic: admits nodes and clients, plans stage waves, splits fan-outs into
/// shares, hands them to nodes with free slots, takes reports in, and assembles outputs in scope
/// order. A value without I/O: the shell feeds it decoded messages and clock ticks and carries
/// out the ``Effects`` it returns; its identity, its clock and its randomness come from the shell.
package struct Scheduler: Sendable {
    package let settings: CoordinatorSettings
    /// This coordinator's incarnation, sent in WELCOME.
    package let incarnation: String

    var nodes: [String: KnownNode] = [:]
    /// Node name by routing peer (live nodes only).
    var nodeByPeer: [Data: String] = [:]
    /// Clients by routing peer, with when they were last heard from.
    var clients: [Data: ContinuousClock.Instant] = [:]
    /// The ZAP User-Id each client said HELLO with, when peers are admitted by key.
    var clientUserIDs: [Data: String] = [:]
    var runs: [String: RunState] = [:]
    /// Run ids in submission order.
    var runOrder: [String] = []
    var runIDs: RunIDGenerator
    var assignments: [AssignmentID: Assignment] = [:]
    /// Assignments by the id of their ASSIGN, to match acknowledgements.
    var assignmentByMessage: [UInt64: AssignmentID] = [:]
    /// Assignments made so far (their creation order).
    var assignmentSequence: UInt64 = 0
    /// Something changed since the last dispatch.
    var needsDispatch = false
    package internal(set) var dropped = DropCounters()
    /// The User-Ids of the keys the authorized file admits now (nil: no keys, or nothing to
    /// hold connections to): a connection admitted under a key since removed is not heard.
    package internal(set) var admitted: Set<String>?
    var nextID: UInt64 = 0
    /// When the table of refused peers was last swept (once a heartbeat interval).
    var lastSweep: ContinuousClock.Instant?
    /// When the loop last ran: its last tick, or the last batch of messages it settled. A
    /// longer gap before the next tick is the coordinator's own stall.
    var lastRan: ContinuousClock.Instant?
    /// Last REFUSAL per unknown peer, to answer floods only once a second.
    var refused: [Data: ContinuousClock.Instant] = [:]
    /// Clients waiting for every node to confirm that a cancelled run's processes have exited.
    var cancelConfirmations: [CancelConfirmation] = []
    /// Assignments of resumed runs, waiting for the node that had them to join again.
    var restored: [AssignmentID: RestoredAssignment] = [:]
    /// Nodes welcomed in the batch being handled.
    var welcomed: [String] = []
    /// Named limits: their pools, the leases held and the tasks waiting for one.
    var leases: LeaseBook
    /// Tasks waiting out a rate limit, in all stages (their `delayed`).
    var delayedTasks = 0
    /// Spreads rate-limit waits.
    var random: SplitMix64

    /// - Parameters:
    ///   - incarnation: this coordinator process's id (a fresh UUID per start).
    ///   - seed: seeds the random part of run ids.
    package init(settings: CoordinatorSettings, incarnation: String, seed: UInt64) {
        self.settings = settings
        self.incarnation = incarnation
        self.runIDs = RunIDGenerator(seed: seed)
        self.leases = LeaseBook(limits: settings.limits)
        self.random = SplitMix64(seed: seed ^ 0x5EED_1EA5_E000_0001)
    }

    mutating func messageID() -> UInt64 {
        nextID += 1
        return nextID
    }

    // MARK: Input

    /// One message from `peer`. `userID` is the ZAP User-Id its connection was admitted under,
    /// when the coordinator authenticates.
    package mutating func receive(_ message: Message, from peer: Data, userID: String?, at now: Moment,
                                  into effects: inout Effects) {
        // With keys, every message carries the User-Id its connection was admitted under: read
        // at HELLO, and afterwards held to what the peer said HELLO with.
        if settings.authenticated, userID == nil {
            dropped.unauthorized += 1
            return
        }
        if let admitted, let userID, !admitted.contains(userID) {
            dropped.unauthorized += 1
            refuse(peer, message.id, .notAdmitted, "this key is no longer in the coordinator's authorized file", now, &effects)
            return
        }
        if case .hello(let hello) = message {
            var identity: PeerIdentity?
            if let userID {
                guard let parsed = PeerIdentity(userID: userID) else {
                    dropped.unauthorized += 1
                    return
                }
                guard parsed.role == hello.role else {
                    dropped.unauthorized += 1
                    refuse(peer, hello.id, .notAdmitted,
                           "this key is authorized as a \(parsed.role.rawValue), not as a \(hello.role.rawValue)", now, &effects)
                    return
                }
                identity = parsed
            }
            self.hello(peer, hello, identity: identity, now, &effects)
            needsDispatch = true
            return
        }
        if let name = nodeByPeer[peer], nodes[name]?.isLive == true {
            guard userID == nodes[name]!.userID else {
                dropped.unauthorized += 1
                return
            }
            heard(name, now, &effects)
            fromNode(name, peer, message, now, &effects)
            needsDispatch = true
        } else if clients[peer] != nil {
            guard userID == clientUserIDs[peer] else {
                dropped.unauthorized += 1
                return
            }
            clients[peer] = now.monotonic
            fromClient(peer, message, now, &effects)
            needsDispatch = true
        } else {
            dropped.withoutHello += 1
            refuse(peer, message.id, .rejoin, "unknown peer: send HELLO first", now, &effects)
        }
    }

    /// Something from `peer` that is not a message this coordinator reads: counted, and a peer
    /// that speaks `otherVersion` of the protocol is told which one this coordinator speaks.
    package mutating func unreadable(from peer: Data, otherVersion: Bool, why: String, replyTo: UInt64? = nil,
                                     at now: Moment, into effects: inout Effects) {
        if otherVersion {
            dropped.unknownVersion += 1
            refuse(peer, replyTo, .unsupportedVersion, "this coordinator speaks \(WireProtocol.tag)", now, &effects)
        } else {
            dropped.malformed += 1
            // A message with an id may be waited on: the peer hears why instead of waiting.
            if let replyTo { refuse(peer, replyTo, .malformed, "the message could not be read: \(why)", now, &effects) }
        }
        effects.log(.debug, "dropped a message: \(why)")
    }

    /// The end of a batch of inputs: hands out work if anything changed. The shell calls it
    /// after each batch, so that a burst of reports costs one pass over the nodes, not one each.
    package mutating func settle(at now: Moment, into effects: inout Effects) {
        // A batch after a stall, before any tick: the stall is excused here.
        excuseStall(now, &effects)
        // A node says nothing until its WELCOME reaches it: however long its HELLO waited here
        // (a coordinator still reading its journal), its silence counts from the WELCOME.
        for name in welcomed where nodes[name] != nil {
            nodes[name]!.lastSeen = max(nodes[name]!.lastSeen, now.monotonic)
        }
        // Runs whose clients heard that their work waits for a node hear that one came.
        if let first = welcomed.first(where: { nodes[$0] != nil }) {
            for id in runs.keys.sorted() where runs[id]!.waitsForNode {
                runs[id]!.waitsForNode = false
                if runs[id]!.status == .running { notice(id, "node \(first) joined: the run goes on", &effects) }
            }
        }
        welcomed.removeAll()
        advanceOutputs(&effects)
        // A lease a report gave back goes to the next task in line at once, not at the next tick.
        if !leases.queue.isEmpty { grantLeases(now, &effects) }
        guard needsDispatch else { return }
        needsDispatch = false
        dispatch(now, &effects)
    }

    /// The clock moved: liveness, resends, heartbeats, progress.
    ///
    /// - Parameter heardUntil: when the shell is behind (messages wait to be handled), the
    ///   arrival time of the newest message it has handled: nodes are judged silent only up to
    ///   there, never for the time their messages wait in the coordinator. Nil when nothing waits.
    package mutating func tick(at now: Moment, heardUntil: ContinuousClock.Instant? = nil, into effects: inout Effects) {
        excuseStall(now, &effects)
        checkLiveness(min(heardUntil ?? now.monotonic, now.monotonic), now, &effects)
        releaseUnadopted(now, &effects)
        confirmCancels(from: nil, ids: nil, now, &effects)
        resendAssignments(now, &effects)
        endRateLimitWaits(now)
        if !leases.isIdle || leases.shared.values.contains(where: { $0.pausedUntil != nil }) { sweepLeases(now, &effects) }
        // (Heartbeats go out from the shell's own timer: see ``heartbeatPeers``.)
        if lastSweep.map({ now.monotonic - $0 >= settings.heartbeatInterval }) ?? true {
            lastSweep = now.monotonic
            refused = refused.filter { now.monotonic - $0.value < .seconds(10) }
        }
        checkLabelWaits(now, &effects)
        stopAwaitingEstimates(now, &effects)
        sendProgress(&effects)
        needsDispatch = false
        dispatch(now, &effects)
    }

    /// A running stage with `labels` that no live node has waits for one to join: its clients
    /// are told, once, and it fails when none has joined within ``CoordinatorSettings/labelWait``.
    mutating func checkLabelWaits(_ now: Moment, _ effects: inout Effects) {
        // Just after a restart the nodes are still joining again.
        guard restored.isEmpty else { return }
        for id in runOrder where runs[id]?.status == .running {
            for s in runs[id]!.stages.indices {
                let stage = runs[id]!.stages[s]
                guard stage.status == .running, !stage.stage.labels.isEmpty else { continue }
                let labels = stage.stage.labels.joined(separator: ",")
                if nodes.values.contains(where: { $0.isLive && $0.accepts(labels: stage.stage.labels) }) {
                    if stage.waitingForLabelsSince != nil {
                        runs[id]!.stages[s].waitingForLabelsSince = nil
                        notice(id, "stage \(stage.id): a node with labels \(labels) is up", &effects)
                    }
                    continue
                }
                guard let since = stage.waitingForLabelsSince else {
                    runs[id]!.stages[s].waitingForLabelsSince = now.monotonic
                    let message = "stage \(stage.id) waits for a node with labels \(labels): no node that has them is up; "
                        + "it fails if none joins within \(Durations.format(settings.labelWait))"
                    effects.log(.warning, "run \(id): \(message)")
                    notice(id, message, &effects)
                    continue
                }
                if now.monotonic - since >= settings.labelWait {
                    failStage(id, s, "stage \(stage.id): no node with labels \(labels) joined within \(Durations.format(settings.labelWait))", now, &effects)
                }
            }
        }
    }

    /// A line for the run's attached clients.
    mutating func notice(_ runID: String, _ message: String, _ effects: inout Effects) {
        guard let run = runs[runID] else { return }
        for (peer, _) in run.clients {
            effects.send(peer, .event(Event(id: messageID(), run: runID, kind: .notice, message: message)))
        }
    }

    /// What a running run waits for, for `swell status`: its stages that no live node can run.
    func waiting(_ run: RunState, _ now: Moment) -> String? {
        let stages = run.stages.filter { $0.status == .running && $0.waitingForLabelsSince != nil }
        let lines = stages.map { "stage \($0.id) needs a node with labels \($0.stage.labels.joined(separator: ","))" }
            + rateLimitWaits(run, now)
            + (run.exhausted.map { ["\($0): the running tasks finish, nothing new starts"] } ?? [])
        return lines.isEmpty ? nil : lines.joined(separator: "; ")
    }

    /// Whether any run is still running.
    package var anyRunRunning: Bool { runs.values.contains { $0.status == .running } }

    /// Who hears the coordinator's heartbeats: its live nodes and connected clients. The shell
    /// sends them from a timer of its own, so that a loop busy with a backlog of reports never
    /// starves them.
    package var heartbeatPeers: [Data] {
        nodes.values.filter(\.isLive).map(\.peer) + clients.keys
    }

    /// Counts messages dropped before they reached the scheduler (by the socket layer).
    package mutating func countDroppedFrames(_ count: Int) {
        dropped.tooManyFrames += count
    }

    /// Counts connections refused during their security handshake (unknown key, no key).
    package mutating func countRefusedHandshakes(_ count: Int) {
        dropped.unauthorized += count
    }

    mutating func refuse(_ peer: Data, _ replyTo: UInt64?, _ code: Refusal.Code, _ text: String, _ now: Moment, _ effects: inout Effects) {
        if let last = refused[peer], now.monotonic - last < .seconds(1) { return }
        refused[peer] = now.monotonic
        effects.send(peer, .refusal(Refusal(id: messageID(), replyTo: replyTo, code: code, message: text)))
    }

    // MARK: Routing

    mutating func fromNode(_ name: String, _ peer: Data, _ message: Message, _ now: Moment, _ effects: inout Effects) {
        switch message {
        case .heartbeat(let heartbeat):
            nodes[name]!.running = heartbeat.running
            if let bytes = heartbeat.sending, bytes > 0 {
                let until = now.monotonic + .seconds(Double(bytes) / Double(Self.slowestLink)) + settings.downAfter
                nodes[name]!.sendingUntil = max(nodes[name]!.sendingUntil ?? until, until)
            }
        case .report(let report):
            nodes[name]!.sendingUntil = nil
            effects.ack(peer, report.id)
            reportReceived(report, from: name, now, &effects)
        case .summary(let summary):
            effects.ack(peer, summary.id)
            summaryReceived(summary, from: name, now, &effects)
        case .ack(let ack):
            for id in ack.acks {
                if let key = assignmentByMessage[id], assignments[key]?.node == name {
                    assignments[key]!.acknowledged = true
                }
            }
            confirmCancels(from: name, ids: Set(ack.acks), now, &effects)
            drained(name, ids: Set(ack.acks), now, &effects)
        case .leave(let leave):
            effects.ack(peer, leave.id)
            effects.log(.info, "node \(name) left: \(leave.reason)")
            lose(name, as: .left, now, &effects)
        case .inputRequest(let request):
            sendInput(request, to: peer, &effects)
        case .leaseRequest(let request):
            leasesAsked(request, by: name, now, &effects)
        default:
            dropped.outOfOrder += 1
            effects.log(.debug, "node \(name) sent \(message.type), which nodes do not send")
        }
    }

    mutating func fromClient(_ peer: Data, _ message: Message, _ now: Moment, _ effects: inout Effects) {
        switch message {
        case .submit(let submit):
            self.submit(peer, submit, now, &effects)
        case .attach(let attach):
            self.attach(peer, attach, now, &effects)
        case .statusRequest(let request):
            effects.queries.append(.status(peer: peer, status(replyTo: request.id, now)))
        case .logsRequest(let request):
            effects.queries.append(.logs(peer: peer, request))
        case .cancel(let cancel):
            cancelRun(cancel, from: peer, now, &effects)
        case .heartbeat:
            break
        case .ack(let ack):
            if !ack.acks.isEmpty { effects.queries.append(.outputAcknowledged(peer: peer, ids: ack.acks)) }
        case .leave(let leave):
            effects.queries.append(.clientLeft(peer: peer))
            clients[peer] = nil
            clientUserIDs[peer] = nil
            for id in runOrder { runs[id]?.clients[peer] = nil }
            effects.ack(peer, leave.id)
        default:
            dropped.outOfOrder += 1
            effects.log(.debug, "a client sent \(message.type), which clients do not send")
        }
    }

    // MARK: Status

    mutating func status(replyTo: UInt64, _ now: Moment) -> StatusReply {
        let nodeList = nodes.values.sorted { $0.name < $1.name }.map { node in
            NodeStatus(name: node.name, incarnation: node.incarnation, membership: node.membership,
                       state: node.state, slots: node.slots,
                       // A node that is down or left runs nothing Swell counts on: its work went elsewhere.
                       labels: node.labels.sorted(), running: node.isLive ? node.running : 0, lastHeartbeat: node.lastSeenWall,
                       tasksRun: node.tasksRun)
        }
        let runList = runOrder.reversed().compactMap { runs[$0] }.map { run in
            let c = run.counts
            return RunOverview(run: run.id, name: run.plan.name, status: run.status, createdAt: run.createdAt,
                               endedAt: run.endedAt, tasks: c.tasks, succeeded: c.succeeded, failed: c.failed, running: c.running,
                               waiting: waiting(run, now))
        }
        var reply = StatusReply(id: messageID(), replyTo: replyTo, coordinator: incarnation, endpoint: settings.endpoint,
                                security: settings.security, nodes: nodeList, runs: runList, dropped: dropped)
        let limits = leases.status(at: now.monotonic)
        reply.limits = limits.isEmpty ? nil : limits
        return reply
    }

    /// Runs that have not finished.
    package var activeRuns: [String] { runOrder.filter { runs[$0]?.status == .running } }
}
