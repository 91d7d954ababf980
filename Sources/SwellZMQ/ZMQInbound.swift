import Synchronization

/// The inbound messages of one socket, in arrival order.
///
/// Buffered without loss; when the consumer falls `inboundLimit` messages behind, the I/O
/// thread stops reading this socket until it catches up, so memory stays bounded.
package struct ZMQInbound: AsyncSequence, Sendable {
    package typealias Element = ZMQMessage

    let stream: AsyncStream<ZMQMessage>
    let gate: InboundGate
    let thread: ZMQIOThread

    package struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<ZMQMessage>.AsyncIterator
        let gate: InboundGate
        let thread: ZMQIOThread

        package mutating func next() async -> ZMQMessage? {
            guard let message = await base.next() else { return nil }
            if gate.taken() { thread.wake() }
            return message
        }
    }

    package func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream.makeAsyncIterator(), gate: gate, thread: thread)
    }
}
