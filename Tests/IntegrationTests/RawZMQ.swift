import CZeroMQ
import Foundation

/// Raw ZeroMQ DEALER sockets for tests that play a peer of the coordinator themselves.
enum RawZMQ {
    enum Failure: Error { case zmq(String) }

    static func dealer(_ context: UnsafeMutableRawPointer, _ endpoint: String) throws -> UnsafeMutableRawPointer {
        guard let socket = zmq_socket(context, ZMQ_DEALER) else { throw Failure.zmq("zmq_socket") }
        var timeout: Int32 = 10_000
        zmq_setsockopt(socket, ZMQ_SNDTIMEO, &timeout, MemoryLayout<Int32>.size)
        var linger: Int32 = 0
        zmq_setsockopt(socket, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
        guard zmq_connect(socket, endpoint) == 0 else { throw Failure.zmq("zmq_connect \(endpoint)") }
        return socket
    }

    static func send(_ socket: UnsafeMutableRawPointer, _ frames: [Data]) throws {
        for (index, frame) in frames.enumerated() {
            let flags = index < frames.count - 1 ? ZMQ_SNDMORE : 0
            let sent = frame.withUnsafeBytes { zmq_send(socket, $0.baseAddress, $0.count, flags) }
            guard sent >= 0 else { throw Failure.zmq("zmq_send: \(String(cString: zmq_strerror(zmq_errno())))") }
        }
    }

    /// The frames of the next message, or nil when none arrives within `milliseconds`.
    static func receive(_ socket: UnsafeMutableRawPointer, within milliseconds: Int32) -> [Data]? {
        var item = zmq_pollitem_t(socket: socket, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        guard zmq_poll(&item, 1, Int(milliseconds)) == 1 else { return nil }
        var frames: [Data] = []
        while true {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            guard zmq_msg_recv(&message, socket, 0) >= 0 else { return nil }
            frames.append(Data(bytes: zmq_msg_data(&message), count: zmq_msg_size(&message)))
            if zmq_msg_more(&message) == 0 { return frames }
        }
    }
}
