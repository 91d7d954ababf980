package import Foundation

/// One inbound multipart message.
package struct ZMQMessage: Sendable {
    /// The sender's routing id on a ROUTER socket; nil on a DEALER.
    package var peer: Data?
    /// The frames after the routing id.
    package var frames: [Data]
    /// The ZAP `User-Id` the sender's connection was admitted under, if ZAP is in use.
    package var userID: String?

    package init(peer: Data?, frames: [Data], userID: String?) {
        self.peer = peer
        self.frames = frames
        self.userID = userID
    }
}

/// Counters of one socket, readable from any thread.
package struct ZMQSocketStatistics: Sendable, Equatable {
    /// Whole messages received and handed to the consumer.
    package var received: Int
    /// Whole messages handed to libzmq.
    package var sent: Int
    /// Inbound messages dropped because they had more frames than allowed.
    package var droppedTooManyFrames: Int
    /// Outbound messages dropped because the ROUTER had no route to the peer.
    package var droppedUnroutable: Int
    /// Outbound messages dropped because a peer's retry queue was full.
    package var droppedOverflow: Int
}

/// What happened to a connection's security handshake (from libzmq's socket monitor).
package enum ZMQHandshakeEvent: Sendable, Equatable {
    case succeeded(endpoint: String)
    /// The peer refused our credentials, or ours refused theirs (ZAP said no): `status` is the
    /// ZAP status code (400 for a refused key).
    case refused(endpoint: String, status: Int)
    /// The two sides do not speak the same security mechanism (for example CURVE against NULL).
    case mechanismMismatch(endpoint: String)
    case failed(endpoint: String)
}
