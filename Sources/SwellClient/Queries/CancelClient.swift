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
            try await ClientConnection.session(endpoint: endpoint, curve: curve, timeout: timeout) { connection, reader in
                let id = connection.nextID()
                connection.send(.cancel(Cancel(id: id, run: runID, reason: "cancelled with swell cancel")))
                while let message = await reader.next(until: ContinuousClock.now + .seconds(15)) {
                    switch message {
                    case .refusal(let refusal) where refusal.replyTo == id && refusal.code == .finished:
                        throw ClientError(.failed, refusal.message)
                    case .refusal(let refusal) where refusal.replyTo == id:
                        throw ClientError(.usage, refusal.message)
                    case .ack(let ack) where ack.acks.contains(id):
                        return
                    default:
                        continue
                    }
                }
                throw ClientError(.unreachable, "the coordinator at \(endpoint) did not confirm the cancel within 15 s")
            }
            StandardStreams.err("swell: run \(runID) cancelled; its tasks have stopped on every node\n")
            return .success
        }
    }
}
