import CZeroMQ

/// A failed libzmq call: which call, on what, and the `zmq_errno()` it left.
package struct ZMQError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The errno value libzmq reported (`zmq_errno()`).
    package var code: Int32
    /// The C call that failed, for example `zmq_bind`.
    package var operation: String
    /// What the call was about: an endpoint, an option name, a peer.
    package var context: String

    package init(code: Int32, operation: String, context: String = "") {
        self.code = code
        self.operation = operation
        self.context = context
    }

    /// Captures `zmq_errno()` right after a failed call.
    static func last(_ operation: String, _ context: String = "") -> ZMQError {
        ZMQError(code: zmq_errno(), operation: operation, context: context)
    }

    package var message: String { String(cString: zmq_strerror(code)) }

    package var description: String {
        let what = context.isEmpty ? operation : "\(operation) \(context)"
        return "\(what): \(message) (errno \(code))"
    }

    /// True when the error means "try again later" (EAGAIN).
    package var isWouldBlock: Bool { code == EAGAIN }
    /// True when a ROUTER with ROUTER_MANDATORY has no route to the peer.
    package var isHostUnreachable: Bool { code == EHOSTUNREACH }
}
