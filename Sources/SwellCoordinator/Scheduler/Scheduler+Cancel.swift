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
        effects.log(.info, "run \(cancel.run) cancelled: \(cancel.reason)")
        let wait = (runs[cancel.run]!.plan.stages.map(\.stopGrace).max() ?? .zero) + Self.cancelConfirmationWait
        let told = finishRun(cancel.run, .cancelled, error: cancel.reason, now, &effects)
        if told.isEmpty {
            effects.ack(peer, cancel.id)
        } else {
            cancelConfirmations.append(CancelConfirmation(
                client: peer, request: cancel.id, waiting: told, deadline: now.monotonic + wait))
        }
    }

    /// Nodes confirm cancels by acknowledging them: `ids` from `node`, or (nil) the node is gone,
    /// or (both nil) a clock tick that answers confirmations past their deadline.
    mutating func confirmCancels(from node: String?, ids: Set<UInt64>?, _ now: Moment, _ effects: inout Effects) {
        guard !cancelConfirmations.isEmpty else { return }
        var open: [CancelConfirmation] = []
        for var confirmation in cancelConfirmations {
            if let node {
                if let sent = confirmation.waiting[node], ids?.contains(sent) ?? true {
                    confirmation.waiting[node] = nil
                }
            }
            if confirmation.waiting.isEmpty {
                effects.ack(confirmation.client, confirmation.request)
            } else if node == nil, ids == nil, now.monotonic >= confirmation.deadline {
                effects.log(.warning, "cancel: no confirmation from \(confirmation.waiting.keys.sorted().joined(separator: ", ")) in time")
                effects.ack(confirmation.client, confirmation.request)
            } else {
                open.append(confirmation)
            }
        }
        cancelConfirmations = open
    }
}
