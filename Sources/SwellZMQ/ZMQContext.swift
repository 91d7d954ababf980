import CZeroMQ

/// A libzmq context. Thread-safe; owns libzmq's own I/O threads.
///
/// Terminated on deinit. Sockets must be closed first; they are opened with LINGER 0
/// so termination never waits for unsent messages.
package final class ZMQContext: Sendable {
    /// The raw `void *` handle; only the wrapper touches it.
    nonisolated(unsafe) let handle: UnsafeMutableRawPointer

    package init() throws(ZMQError) {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        // ZMQ_BLOCKY = 0: zmq_ctx_term never blocks on pending messages.
        _ = zmq_ctx_set(handle, ZMQ_BLOCKY, 0)
        self.handle = handle
    }

    deinit {
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    /// Library version, for example `4.3.4`.
    package static var libraryVersion: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }

    /// Whether libzmq was built with a capability such as `curve`.
    package static func has(_ capability: String) -> Bool {
        zmq_has(capability) == 1
    }
}
