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
