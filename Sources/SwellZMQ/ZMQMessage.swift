package import Foundation

/// One inbound multipart message.
package struct ZMQMessage: Sendable {
    /// The sender's routing id on a ROUTER socket; nil on a DEALER.
    package var peer: Data?
    /// The frames after the routing id.
    package var frames: [Data]
    /// The ZAP `User-Id` the sender's connection was admitted under, if ZAP is in use.
    package var userID: String?
    /// When the I/O thread took it from libzmq: when it arrived, however long the consumer
    /// takes to get to it.
    package var arrival: ContinuousClock.Instant

    package init(peer: Data?, frames: [Data], userID: String?, arrival: ContinuousClock.Instant = .now) {
        self.peer = peer
        self.frames = frames
        self.userID = userID
        self.arrival = arrival
    }
}
