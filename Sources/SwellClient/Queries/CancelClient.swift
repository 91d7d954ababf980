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
            let outcome = try await ClientConnection.session(endpoint: endpoint, curve: curve, timeout: timeout) { connection, reader in
                let id = connection.nextID()
                connection.send(.cancel(Cancel(id: id, run: runID, reason: "cancelled with swell cancel")))
                var status: RunStatus?
                while let message = await reader.next(until: ContinuousClock.now + .seconds(15)) {
                    switch message {
                    case .result(let result) where result.run == runID:
                        status = result.status
                    case .refusal(let refusal) where refusal.replyTo == id:
                        throw ClientError(.usage, refusal.message)
                    case .ack(let ack) where ack.acks.contains(id):
                        return status
                    default:
                        continue
                    }
                }
                throw ClientError(.unreachable, "the coordinator at \(endpoint) did not confirm the cancel within 15 s")
            }
            switch outcome {
            case .succeeded?, .failed?:
                StandardStreams.err("swell: run \(runID) had already finished (\(outcome!.rawValue))\n")
                return .failed
            default:
                StandardStreams.err("swell: run \(runID) cancelled; its tasks have stopped on every node\n")
                return .success
            }
        }
    }
}
