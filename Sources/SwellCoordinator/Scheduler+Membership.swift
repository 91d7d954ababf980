import Foundation
import SwellCore
import SwellProtocol

extension Scheduler {
    /// A peer says HELLO: a node joins (a new incarnation supersedes an older one of the same
    /// name), or a client connects.
    mutating func hello(_ peer: Data, _ hello: Hello, _ now: Moment, _ effects: inout Effects) {
        switch hello.role {
        case .client:
            if let name = nodeByPeer[peer] { lose(name, as: .left, now, &effects) }
            clients[peer] = now.monotonic
            effects.send(peer, .welcome(Welcome(id: messageID(), replyTo: hello.id, name: hello.name,
                                                coordinator: incarnation, heartbeatMilliseconds: Int(settings.heartbeatInterval * 1000))))
        case .node:
            clients[peer] = nil
            let name = hello.name.isEmpty ? "node" : hello.name
            if let existing = nodes[name], existing.isLive {
                if existing.incarnation == hello.incarnation {
                    // The same process saying HELLO again (it lost our WELCOME, or we asked it to):
                    // keep its assignments, refresh its address.
                    if existing.peer != peer { nodeByPeer[existing.peer] = nil }
                    nodes[name]!.peer = peer
                    nodes[name]!.lastSeen = now.monotonic
                    nodes[name]!.lastSeenWall = now.wall
                    nodeByPeer[peer] = name
                    effects.send(peer, .welcome(welcome(hello, name)))
                    resendAll(to: name, now, &effects)
                    return
                }
                effects.log(.info, "node \(name) re-joined as a new incarnation; its earlier work goes back to the pool")
                lose(name, as: .left, now, &effects)
            }
            guard hello.slots >= 1 else {
                refuse(peer, hello.id, .malformed, "a node needs at least one slot", now, &effects)
                return
            }
            nodes[name] = NodeRecord(
                name: name, incarnation: hello.incarnation, peer: peer, slots: min(hello.slots, 10_000),
                labels: Set(hello.labels), acceptsAnyLabels: hello.acceptsAnyLabels, state: .up,
                lastSeen: now.monotonic, lastSeenWall: now.wall, joinedAt: now.wall)
            nodeByPeer[peer] = name
            effects.log(.info, "node \(name) joined with \(hello.slots) slot(s)" + (hello.labels.isEmpty ? "" : ", labels \(hello.labels.joined(separator: ","))"))
            effects.send(peer, .welcome(welcome(hello, name)))
        }
    }

    private mutating func welcome(_ hello: Hello, _ name: String) -> Welcome {
        Welcome(id: messageID(), replyTo: hello.id, name: name, coordinator: incarnation,
                heartbeatMilliseconds: Int(settings.heartbeatInterval * 1000))
    }

    /// Sends every assignment of a node that re-said HELLO again, unacknowledged or not: the
    /// node drops what it already has.
    mutating func resendAll(to name: String, _ now: Moment, _ effects: inout Effects) {
        guard let node = nodes[name] else { return }
        for key in node.assignments {
            guard var assignment = assignments[key] else { continue }
            assignment.sentAt = now.monotonic
            assignments[key] = assignment
            effects.sendFrames(node.peer, assignment.frames)
        }
    }

    /// Suspect and down by silence.
    mutating func checkLiveness(_ now: Moment, _ effects: inout Effects) {
        for name in nodes.keys.sorted() {
            guard let node = nodes[name], node.isLive else { continue }
            let silent = now.monotonic - node.lastSeen
            if silent >= settings.downAfter {
                effects.log(.warning, "node \(name) is down: silent for \(String(format: "%.1f", silent)) s")
                lose(name, as: .down, now, &effects)
            } else if silent >= settings.suspectAfter, node.state == .up {
                nodes[name]!.state = .suspect
                effects.log(.info, "node \(name) is suspect: silent for \(String(format: "%.1f", silent)) s")
            } else if silent < settings.suspectAfter, node.state == .suspect {
                // It spoke again within the grace period.
                nodes[name]!.state = .up
            }
        }
        // Forget nodes that have been gone for a while.
        nodes = nodes.filter { $0.value.isLive || now.wall - $0.value.lastSeenWall < 600 }
    }

    /// A node is gone (down or left): its unfinished work goes back to the pool, its finished
    /// reports stay.
    mutating func lose(_ name: String, as state: NodeState, _ now: Moment, _ effects: inout Effects) {
        guard var node = nodes[name], node.isLive else { return }
        node.state = max(node.state, state)
        nodeByPeer[node.peer] = nil
        let lost = node.assignments
        node.assignments = []
        node.used = 0
        nodes[name] = node
        for key in lost.sorted(by: { ($0.run, $0.stage, $0.share) < ($1.run, $1.stage, $1.share) }) {
            assignments[key] = nil
            release(key, lostOn: name, now, &effects)
        }
    }
}

