import CZeroMQ
import DequeModule
package import Foundation
import Synchronization

/// One socket, as seen from async code.
package final class ZMQSocketHandle: Sendable {
    let id: Int
    let thread: ZMQIOThread
    let shared: ZMQIOThread.Entry.Shared
    package let kind: ZMQSocketConfiguration.Kind
    /// The endpoints bound (resolved when the port was `0` or `*`) and connected.
    package let endpoints: [String]
    /// Messages received on this socket.
    package let inbound: ZMQInbound
    /// Handshake outcomes, when the socket was opened with `monitorHandshakes` (else finished).
    package let events: AsyncStream<ZMQHandshakeEvent>

    init(id: Int, kind: ZMQSocketConfiguration.Kind, endpoints: [String], thread: ZMQIOThread,
         shared: ZMQIOThread.Entry.Shared, inbound: ZMQInbound, events: AsyncStream<ZMQHandshakeEvent>) {
        self.id = id
        self.kind = kind
        self.endpoints = endpoints
        self.thread = thread
        self.shared = shared
        self.inbound = inbound
        self.events = events
    }

    /// Queues a message on a DEALER socket. Never blocks.
    package func send(_ frames: [Data]) {
        precondition(kind == .dealer, "send(_:) is for DEALER sockets; use send(to:_:)")
        thread.send(id: id, frames: frames)
    }

    /// Queues a message to one peer of a ROUTER socket. Never blocks.
    package func send(to peer: Data, _ frames: [Data]) {
        precondition(kind == .router, "send(to:_:) is for ROUTER sockets; use send(_:)")
        thread.send(id: id, frames: [peer] + frames)
    }

    /// Drops the connection to `endpoint` and makes a new one. libzmq does not try again after
    /// the peer refused a security handshake (an unknown key); this does.
    package func reconnect(_ endpoint: String) { thread.reconnect(id: id, endpoint: endpoint) }

    /// Closes the socket; its inbound stream finishes.
    package func close() { thread.close(id: id) }

    package var statistics: ZMQSocketStatistics { shared.stats.withLock { $0 } }

    /// Messages received and not yet taken from ``inbound``.
    package var backlog: Int { shared.gate.backlog }
}
