public import Foundation

/// One inbound multipart message.
public struct ZMQMessage: Sendable {
    /// The sender's routing id on a ROUTER socket; nil on a DEALER.
    public var peer: Data?
    /// The frames after the routing id.
    public var frames: [Data]
    /// The ZAP `User-Id` the sender's connection was admitted under, if ZAP is in use.
    public var userID: String?

    public init(peer: Data?, frames: [Data], userID: String?) {
        self.peer = peer
        self.frames = frames
        self.userID = userID
    }
}

/// Counters of one socket, readable from any thread.
public struct ZMQSocketStatistics: Sendable, Equatable {
    /// Whole messages received and handed to the consumer.
    public var received: Int
    /// Whole messages handed to libzmq.
    public var sent: Int
    /// Inbound messages dropped because they had more frames than allowed.
    public var droppedTooManyFrames: Int
    /// Outbound messages dropped because the ROUTER had no route to the peer.
    public var droppedUnroutable: Int
    /// Outbound messages dropped because a peer's retry queue was full.
    public var droppedOverflow: Int
}

/// What happened to a connection's security handshake (from libzmq's socket monitor).
public enum ZMQHandshakeEvent: Sendable, Equatable {
    case succeeded(endpoint: String)
    /// The peer refused our credentials, or ours refused theirs (ZAP said no): `status` is the
    /// ZAP status code (400 for a refused key).
    case refused(endpoint: String, status: Int)
    /// The two sides do not speak the same security mechanism (for example CURVE against NULL).
    case mechanismMismatch(endpoint: String)
    case failed(endpoint: String)
}
