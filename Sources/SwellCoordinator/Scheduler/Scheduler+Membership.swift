import Foundation
import SwellCore
import SwellPlan
import SwellProtocol
import SwellSecurity

extension Scheduler {
    /// A peer says HELLO: a node joins (a new process of a known name supersedes the old one),
    /// or a client connects. A node that says what it still holds gets those assignments adopted
    /// when the coordinator still counts on them, and cancelled otherwise.
    mutating func hello(_ peer: Data, _ hello: Hello, identity: PeerIdentity?, _ now: Moment, _ effects: inout Effects) {
        switch hello.role {
        case .client:
            if let name = nodeByPeer[peer] { lose(name, as: .left, now, &effects) }
            clients[peer] = now.monotonic
            clientUserIDs[peer] = identity?.userID
            effects.send(peer, .welcome(welcome(hello, hello.name)))
        case .node:
            clients[peer] = nil
            clientUserIDs[peer] = nil
            // A node admitted by key is known by the name its key is authorized under.
            var name = identity?.name ?? (hello.name.isEmpty ? "node" : hello.name)
            if let identity, identity.name != hello.name, !hello.name.hasPrefix(identity.name + "#") {
                effects.log(.info, "a node calling itself '\(hello.name)' holds the key authorized as '\(identity.name)': known as \(identity.name)")
            }
            if let existing = nodes[name], existing.isLive, existing.incarnation != hello.incarnation,
               now.monotonic - existing.lastSeen < settings.suspectAfter {
                // Another process has the name and is alive: this one is a node of its own.
                let base = name
                name = distinctName(for: base, hello)
                if nodes[name]?.incarnation != hello.incarnation {
                    effects.log(.warning, "node \(base) joined from a second process while the first one is alive: "
                        + "the new one is known as \(name); give each node its own --name (or key)")
                }
            }
            guard hello.slots >= 1 else {
                refuse(peer, hello.id, .malformed, "a node needs at least one slot", now, &effects)
                return
            }
            if let existing = nodes[name], existing.isLive {
                if existing.incarnation == hello.incarnation {
                    // The same process saying HELLO again (it lost our WELCOME, or thought it lost
                    // us): keep its membership and assignments, refresh its address.
                    if existing.peer != peer { nodeByPeer[existing.peer] = nil }
                    nodes[name]!.peer = peer
                    nodes[name]!.lastSeen = now.monotonic
                    nodes[name]!.lastSeenWall = now.wall
                    nodeByPeer[peer] = name
                    effects.send(peer, .welcome(welcome(hello, name)))
            welcomed.append(name)
                    reconcile(name, holding: hello.holding, now, &effects)
                    resend(to: name, except: Set(hello.holding), now, &effects)
                    return
                }
                effects.log(.info, "node \(name) joined again as a new process; the earlier one's work goes back to the pool")
                lose(name, as: .left, replaced: true, now, &effects)
            }
            let membership = (nodes[name]?.membership ?? 0) + 1
            let slots = min(hello.slots, Self.mostSlots)
            nodes[name] = KnownNode(
                name: name, userID: identity?.userID, incarnation: hello.incarnation, membership: membership, peer: peer,
                slots: slots, labels: Set(hello.labels), acceptsAnyLabels: hello.acceptsAnyLabels,
                fetchesInput: hello.fetchesInput ?? false,
                state: .joining, lastSeen: now.monotonic, lastSeenWall: now.wall, joinedAt: now.wall,
                // The tasks a name has run, across its memberships (a node counted down and back).
                tasksRun: nodes[name]?.tasksRun ?? 0)
            nodeByPeer[peer] = name
            effects.log(.info, "node \(name) joined with \(slots) slot(s)"
                + (hello.slots > slots ? " (it asked for \(hello.slots); \(Self.mostSlots) is the most a node gets)" : "")
                + (hello.labels.isEmpty ? "" : ", labels \(hello.labels.joined(separator: ","))")
                + (membership > 1 ? " (membership \(membership))" : "") + "; swell \(hello.software)")
            effects.send(peer, .welcome(welcome(hello, name)))
            welcomed.append(name)
            reconcile(name, holding: hello.holding, now, &effects)
        }
    }

    /// The name for a second live process that says it is `base`: the one it had (it joins again
    /// after the coordinator restarted, or under a key that names it `base`), else `base#2`,
    /// `base#3`... the first that no live node has.
    private func distinctName(for base: String, _ hello: Hello) -> String {
        if let (known, _) = nodes.first(where: { $0.value.isLive && $0.value.incarnation == hello.incarnation && $0.key.hasPrefix(base + "#") }) {
            return known
        }
        if hello.name.hasPrefix(base + "#"), nodes[hello.name].map({ !$0.isLive || $0.incarnation == hello.incarnation }) ?? true {
            return hello.name
        }
        var suffix = 2
        while nodes["\(base)#\(suffix)"]?.isLive == true { suffix += 1 }
        return "\(base)#\(suffix)"
    }

    /// The authorized file now admits these User-Ids (it was read again): nodes and clients whose
    /// key it no longer holds are told so and forgotten; a node's unfinished work goes back to
    /// the pool at once.
    package mutating func admit(_ userIDs: Set<String>, at now: Moment, into effects: inout Effects) {
        admitted = userIDs
        for name in nodes.keys.sorted() where nodes[name]!.isLive {
            guard let userID = nodes[name]!.userID, !userIDs.contains(userID) else { continue }
            effects.log(.warning, "node \(name): its key was removed from the authorized file; disconnected")
            refuse(nodes[name]!.peer, 0, .notAdmitted, "this key is no longer in the coordinator's authorized file", now, &effects)
            lose(name, as: .left, now, &effects)
        }
        for (peer, userID) in clientUserIDs where !userIDs.contains(userID) {
            effects.log(.info, "a client's key was removed from the authorized file; it is no longer heard")
            refuse(peer, 0, .notAdmitted, "this key is no longer in the coordinator's authorized file", now, &effects)
            clients[peer] = nil
            clientUserIDs[peer] = nil
        }
        needsDispatch = true
    }

    private mutating func welcome(_ hello: Hello, _ name: String) -> Welcome {
        Welcome(id: messageID(), replyTo: hello.id, name: name, coordinator: incarnation,
                heartbeatMilliseconds: settings.heartbeatInterval.wholeMilliseconds,
                silenceMilliseconds: settings.downAfter.wholeMilliseconds,
                leaseHoldMilliseconds: settings.leaseHold.wholeMilliseconds)
    }

    /// Adopts what the node holds and the coordinator still counts on (its live assignments,
    /// and shares of resumed runs waiting for it); cancels the rest on the node.
    mutating func reconcile(_ name: String, holding: [AssignmentID], _ now: Moment, _ effects: inout Effects) {
        guard let node = nodes[name] else { return }
        for held in holding {
            if node.assignments.contains(held) { continue }
            if adopt(held, on: name, now) {
                effects.log(.info, "node \(name) still holds \(held.kind.rawValue) \(held.share + 1) of \(held.stage) (run \(held.run)): adopted")
                continue
            }
            effects.send(node.peer, .cancel(Cancel(
                id: messageID(), run: held.run, assignment: held, reason: "superseded: this work was handed to another node")))
        }
        // Work of resumed runs this node had but no longer holds (its ASSIGN was lost with the
        // old coordinator) need not wait for the grace period.
        let held = Set(holding)
        for (key, restoredAssignment) in restored where restoredAssignment.node == name && !held.contains(key) {
            restored[key]?.until = min(restoredAssignment.until, now.monotonic)
        }
        releaseUnadopted(now, &effects)
    }

    /// Sends again the assignments of a node that said HELLO again, but for those it says it
    /// holds (a node drops what it already has anyway).
    mutating func resend(to name: String, except held: Set<AssignmentID>, _ now: Moment, _ effects: inout Effects) {
        guard let node = nodes[name] else { return }
        for key in node.assignments where !held.contains(key) {
            guard var assignment = assignments[key], let message = assignment.message else { continue }
            assignment.sentAt = now.monotonic
            assignments[key] = assignment
            effects.send(node.peer, .assign(message))
        }
    }

    /// A node was heard from: joining becomes up, and a suspect node refutes the suspicion
    /// under a new membership incarnation.
    mutating func heard(_ name: String, _ now: Moment, _ effects: inout Effects) {
        guard var node = nodes[name] else { return }
        node.lastSeen = max(node.lastSeen, now.monotonic)
        node.lastSeenWall = now.wall
        switch node.state {
        case .joining:
            node.state = .up
        case .suspect:
            node.membership += 1
            node.state = .up
            effects.log(.info, "node \(name) is heard from again: up (membership \(node.membership))")
        default:
            break
        }
        nodes[name] = node
    }

    /// A coordinator that did not run for a while (stopped, starved of CPU, swapped out) heard
    /// nothing in that time, through no fault of the nodes: the time it stood still is not
    /// counted as their silence.
    mutating func excuseStall(_ now: Moment, _ effects: inout Effects) {
        defer { lastRan = max(lastRan ?? now.monotonic, now.monotonic) }
        guard let lastRan else { return }
        let gap = now.monotonic - lastRan
        guard gap > settings.stallAfter else { return }
        // Long enough to have made a node suspect: worth a warning; shorter ones are routine
        // (a stage of a million scopes starting).
        effects.log(gap >= settings.suspectAfter ? .warning : .info, "the coordinator did not run for \(Durations.format(gap)); nodes' silence in that time is not held against them")
        for name in nodes.keys where nodes[name]!.isLive {
            nodes[name]!.lastSeen = min(now.monotonic, nodes[name]!.lastSeen + gap)
        }
    }

    /// The slowest connection a node's announced report is allowed for: 16 MiB/s (a link of
    /// about 130 Mbit/s; loopback carries about 100 MB/s).
    static let slowestLink = 16 << 20

    /// Suspect and down by silence, up to `heard`: the arrival time up to which every message
    /// has been handled.
    mutating func checkLiveness(_ heard: ContinuousClock.Instant, _ now: Moment, _ effects: inout Effects) {
        // A node sends a report it announced as large: its heartbeats wait behind it, and the
        // coordinator's I/O, taking it in, is late with everyone else's too. Nobody is judged
        // by silence until it is in (or its allowance is over).
        let receiving = nodes.values.contains { node in node.isLive && node.sendingUntil.map { now.monotonic < $0 } == true }
        for name in nodes.keys.sorted() where !receiving {
            guard let node = nodes[name], node.isLive else { continue }
            let silent = heard - node.lastSeen
            if silent >= settings.downAfter {
                effects.log(.warning, "node \(name) is down: silent for \(Durations.format(silent)); its unfinished work goes back to the pool")
                lose(name, as: .down, now, &effects)
            } else if silent >= settings.suspectAfter, node.state < .suspect {
                nodes[name]!.state = .suspect
                effects.log(.info, "node \(name) is suspect: silent for \(Durations.format(silent))")
            }
        }
        // Forget nodes that have been gone for a while.
        nodes = nodes.filter { $0.value.isLive || now.monotonic - $0.value.lastSeen < Self.forgetGoneNodesAfter }
    }

    /// How long `swell status` still lists a node that is down or left.
    static let forgetGoneNodesAfter: Duration = .seconds(600)
    /// The most slots a node gets, whatever it asks for.
    static let mostSlots = 10_000

    /// A node is gone (down or left): its unfinished work goes back to the pool, its finished
    /// reports stay.
    /// `replaced`: a new process of that name is joining in its place.
    mutating func lose(_ name: String, as state: NodeState, replaced: Bool = false, _ now: Moment, _ effects: inout Effects) {
        guard var node = nodes[name], node.isLive else { return }
        node.state = max(node.state, state)
        nodeByPeer[node.peer] = nil
        let lost = node.assignments
        node.assignments = []
        node.used = 0
        nodes[name] = node
        for key in lost.sorted() {
            _ = forget(key)
            effects.journal(.assignmentRemoved(key))
            release(key, lostOn: name, now, &effects)
        }
        // Its runs' clients hear of it: their progress would otherwise just slow down.
        let why = replaced ? "was replaced by a new process of that name" : state == .left ? "left" : "is down"
        let noneUp = !replaced && !nodes.values.contains { $0.isLive }
        let whither = replaced ? "goes back to the pool" : noneUp ? "waits for a node to join (no other node is up)" : "goes to other nodes"
        for run in Set(lost.map(\.run)).sorted() where runs[run]?.status == .running {
            notice(run, "node \(name) \(why): its unfinished work \(whither)", &effects)
            if noneUp { runs[run]!.waitsForNode = true }
        }
        confirmCancels(from: name, ids: nil, left: state == .left, now, &effects)
        drained(name, ids: nil, now, &effects)
    }

}
