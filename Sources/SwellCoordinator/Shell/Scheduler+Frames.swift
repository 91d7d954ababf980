package import Foundation
import SwellProtocol
import SwellWire

extension Scheduler {
    /// One inbound message as ZeroMQ delivered it: decoded here, in the shell, and handed to the
    /// scheduler; what cannot be decoded is counted as such.
    package mutating func receive(frames: [Data], from peer: Data, userID: String?, at now: Moment, into effects: inout Effects) {
        let message: Message
        do {
            message = try WireCodec.decode(frames)
        } catch {
            receiveUndecodable(error, from: peer, at: now, into: &effects)
            return
        }
        receive(message, from: peer, userID: userID, at: now, into: &effects)
    }
}
