package import Foundation
import SwellProtocol
import SwellWire

/// The shell's side of an inbound message: ZeroMQ's frames decoded into a message for the
/// scheduler, or, when they are not one, what the scheduler needs to count and answer them.
package enum InboundFrames {
    package static func deliver(_ frames: [Data], from peer: Data, userID: String?, to scheduler: inout Scheduler,
                                at now: Moment, into effects: inout Effects) {
        let message: Message
        do {
            message = try WireCodec.decode(frames)
        } catch {
            scheduler.unreadable(from: peer, otherVersion: error.kind == .unknownVersion, why: error.description,
                                 replyTo: requestID(frames), at: now, into: &effects)
            return
        }
        scheduler.receive(message, from: peer, userID: userID, at: now, into: &effects)
    }

    /// The `id` of a message that could not be read, if its header still says one: the peer
    /// may wait for an answer to it.
    static func requestID(_ frames: [Data]) -> UInt64? {
        guard frames.count >= 3, frames[2].count <= 1 << 20, let header = try? JSONReader.parse(frames[2]),
              let id = header["id"]?.int, id > 0 else { return nil }
        return UInt64(id)
    }
}
