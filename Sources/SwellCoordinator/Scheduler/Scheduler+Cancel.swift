import Foundation
import SwellProtocol

extension Scheduler {
    /// How long `swell cancel` waits for nodes to confirm before it answers anyway, beyond the
    /// longest `stop-grace` of the run's stages (tasks that ignore SIGTERM end when it is over).
    static let cancelConfirmationWait: Duration = .seconds(5)

    /// A client cancels a run: every task of it is stopped on every node, the run ends cancelled,
    /// and the client's CANCEL is acknowledged once every node has confirmed (or was lost).
    mutating func cancelRun(_ cancel: Cancel, from peer: Data, _ now: Moment, _ effects: inout Effects) {
        guard let status = runs[cancel.run]?.status else {
            // Perhaps in the journal, from before a restart.
            effects.queries.append(.cancelNotInMemory(peer: peer, cancel))
            return
        }
        guard status == .running else {
            effects.send(peer, .refusal(.finished(cancel.run, status: status, id: messageID(), replyTo: cancel.id)))
            return
        }
        runs[cancel.run]!.clients[peer] = runs[cancel.run]!.clients[peer] ?? false
        // Logged once, by finishRun (before, it was said twice).
        let wait = (runs[cancel.run]!.plan.stages.map(\.stopGrace).max() ?? .zero) + Self.cancelConfirmationWait
        let told = finishRun(cancel.run, .cancelled, error: cancel.reason, now, &effects)
        if told.isEmpty {
            effects.ack(peer, cancel.id)
        } else {
            cancelConfirmations.append(CancelConfirmation(
                client: peer, request: cancel.id, run: cancel.run, waiting: told, deadline: now.monotonic + wait))
        }
    }

    /// Nodes confirm cancels by acknowledging them: `ids` from `node`; or (nil) the node is gone:
    /// one that `left` stopped its tasks before it did, one that is down confirms nothing (it
    /// may be paused with its tasks running); or (both nil) a clock tick that answers
    /// confirmations past their deadline. A client answered without every confirmation first
    /// hears, as a notice, which nodes did not confirm.
    mutating func confirmCancels(from node: String?, ids: Set<UInt64>?, left: Bool = false, _ now: Moment, _ effects: inout Effects) {
        guard !cancelConfirmations.isEmpty else { return }
        var open: [CancelConfirmation] = []
        for var confirmation in cancelConfirmations {
            if let node, let sent = confirmation.waiting[node] {
                if let ids {
                    if ids.contains(sent) { confirmation.waiting[node] = nil }
                } else if left {
                    confirmation.waiting[node] = nil
                } else {
                    confirmation.lost.insert(node)
                }
            }
            if confirmation.waiting.isEmpty {
                effects.ack(confirmation.client, confirmation.request)
            } else if node == nil, ids == nil, now.monotonic >= confirmation.deadline {
                let names = confirmation.waiting.keys.sorted()
                let lost = names.filter(confirmation.lost.contains)
                let message = "no confirmation from \(names.joined(separator: ", ")) that the run's tasks stopped"
                    + (lost.isEmpty ? "" : " (\(lost.joined(separator: ", ")) lost: its tasks stop when it comes back)")
                effects.log(.warning, "cancel of run \(confirmation.run): \(message)")
                effects.send(confirmation.client, .event(Event(id: messageID(), run: confirmation.run, kind: .notice, message: message)))
                effects.ack(confirmation.client, confirmation.request)
            } else {
                open.append(confirmation)
            }
        }
        cancelConfirmations = open
    }
}
