import Foundation
import SwellCore
import SwellProtocol
package import SwellZMQ

/// `swell cancel RUN`: the coordinator stops every task of the run on every node and answers
/// once the nodes have confirmed that the processes exited.
package enum CancelClient {
    package static func run(_ runID: String, endpoint: String, curve: ZMQSocketConfiguration.Curve? = nil,
                           timeout: Duration = .seconds(5)) async -> SwellExit {
        await SwellExit.reporting {
            let unconfirmed = try await ClientConnection.session(endpoint: endpoint, curve: curve, timeout: timeout) { connection, reader in
                let id = connection.nextID()
                connection.send(.cancel(Cancel(id: id, run: runID, reason: "cancelled with swell cancel")))
                var unconfirmed = false
                while let message = await reader.next(until: ContinuousClock.now + .seconds(15)) {
                    switch message {
                    case .event(let event) where event.run == runID && event.kind == .notice:
                        // Which nodes did not confirm in time, said before the answer.
                        unconfirmed = true
                        StandardStreams.err("swell: \(TerminalText.visible(event.message ?? ""))\n")
                    case .refusal(let refusal) where refusal.replyTo == id && refusal.code == .finished:
                        throw ClientError(.failed, refusal.message)
                    case .refusal(let refusal) where refusal.replyTo == id:
                        throw ClientError(.usage, refusal.message)
                    case .ack(let ack) where ack.acks.contains(id):
                        return unconfirmed
                    default:
                        continue
                    }
                }
                throw ClientError(.unreachable, "the coordinator at \(endpoint) did not confirm the cancel within 15 s")
            }
            StandardStreams.err(unconfirmed
                ? "swell: run \(runID) cancelled; not every node confirmed that its tasks stopped\n"
                : "swell: run \(runID) cancelled; its tasks have stopped on every node\n")
            return .success
        }
    }
}
