import CZeroMQ
import Foundation

/// A raw libzmq socket. Not thread-safe: only the ``ZMQIOThread`` that created it touches it.
final class ZMQSocket {
    let handle: UnsafeMutableRawPointer
    let kind: ZMQSocketConfiguration.Kind
    private var closed = false

    init(context: ZMQContext, kind: ZMQSocketConfiguration.Kind) throws(ZMQError) {
        let type: Int32
        switch kind {
        case .router: type = ZMQ_ROUTER
        case .dealer: type = ZMQ_DEALER
        }
        guard let handle = zmq_socket(context.handle, type) else { throw ZMQError.last("zmq_socket") }
        self.handle = handle
        self.kind = kind
    }

    /// A REP socket, used for the ZAP handler.
    init(context: ZMQContext, rawType: Int32) throws(ZMQError) {
        guard let handle = zmq_socket(context.handle, rawType) else { throw ZMQError.last("zmq_socket") }
        self.handle = handle
        self.kind = .dealer
    }

    deinit { close() }

    func close() {
        guard !closed else { return }
        closed = true
        zmq_close(handle)
    }

    func set(_ option: Int32, _ value: Int32, name: String) throws(ZMQError) {
        var v = value
        guard zmq_setsockopt(handle, option, &v, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError.last("zmq_setsockopt", name)
        }
    }

    func set(_ option: Int32, _ value: Int64, name: String) throws(ZMQError) {
        var v = value
        guard zmq_setsockopt(handle, option, &v, MemoryLayout<Int64>.size) == 0 else {
            throw ZMQError.last("zmq_setsockopt", name)
        }
    }

    func set(_ option: Int32, bytes: [UInt8], name: String) throws(ZMQError) {
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw ZMQError.last("zmq_setsockopt", name) }
    }

    func set(_ option: Int32, string: String, name: String) throws(ZMQError) {
        try set(option, bytes: Array(string.utf8), name: name)
    }

    /// Applies every option of `configuration` that must be set before bind/connect.
    func configure(_ c: ZMQSocketConfiguration) throws(ZMQError) {
        try set(ZMQ_LINGER, Int32(0), name: "ZMQ_LINGER")
        try set(ZMQ_SNDHWM, c.highWaterMark, name: "ZMQ_SNDHWM")
        try set(ZMQ_RCVHWM, c.highWaterMark, name: "ZMQ_RCVHWM")
        try set(ZMQ_MAXMSGSIZE, c.maxFrameSize, name: "ZMQ_MAXMSGSIZE")
        try set(ZMQ_RECONNECT_IVL, c.reconnectInterval, name: "ZMQ_RECONNECT_IVL")
        try set(ZMQ_RECONNECT_IVL_MAX, c.reconnectIntervalMax, name: "ZMQ_RECONNECT_IVL_MAX")
        if let hb = c.heartbeat {
            try set(ZMQ_HEARTBEAT_IVL, hb.interval, name: "ZMQ_HEARTBEAT_IVL")
            try set(ZMQ_HEARTBEAT_TIMEOUT, hb.timeout, name: "ZMQ_HEARTBEAT_TIMEOUT")
            try set(ZMQ_HEARTBEAT_TTL, hb.ttl, name: "ZMQ_HEARTBEAT_TTL")
        }
        if let id = c.routingID {
            try set(ZMQ_ROUTING_ID, bytes: id, name: "ZMQ_ROUTING_ID")
        }
        if c.kind == .router {
            try set(ZMQ_ROUTER_MANDATORY, Int32(1), name: "ZMQ_ROUTER_MANDATORY")
            try set(ZMQ_ROUTER_HANDOVER, Int32(1), name: "ZMQ_ROUTER_HANDOVER")
        }
        if let domain = c.zapDomain {
            try set(ZMQ_ZAP_DOMAIN, string: domain, name: "ZMQ_ZAP_DOMAIN")
            // ZMQ_ZAP_ENFORCE_DOMAIN (93) is a draft constant in 4.3.4 headers; libzmq accepts it by number.
            try set(93, Int32(1), name: "ZMQ_ZAP_ENFORCE_DOMAIN")
        }
        switch c.curve {
        case nil:
            break
        case .server(let publicKey, let secretKey):
            try set(ZMQ_CURVE_SERVER, Int32(1), name: "ZMQ_CURVE_SERVER")
            try set(ZMQ_CURVE_PUBLICKEY, string: publicKey, name: "ZMQ_CURVE_PUBLICKEY")
            try set(ZMQ_CURVE_SECRETKEY, string: secretKey, name: "ZMQ_CURVE_SECRETKEY")
        case .client(let publicKey, let secretKey, let serverKey):
            try set(ZMQ_CURVE_SERVERKEY, string: serverKey, name: "ZMQ_CURVE_SERVERKEY")
            try set(ZMQ_CURVE_PUBLICKEY, string: publicKey, name: "ZMQ_CURVE_PUBLICKEY")
            try set(ZMQ_CURVE_SECRETKEY, string: secretKey, name: "ZMQ_CURVE_SECRETKEY")
        }
    }

    /// Binds and returns the endpoint actually bound (a `:0` or `:*` port resolved).
    func bind(_ endpoint: String) throws(ZMQError) -> String {
        // libzmq spells "any free port" as `*`; accept the common `:0` too.
        var spec = endpoint
        if spec.hasPrefix("tcp://"), spec.hasSuffix(":0") {
            spec = String(spec.dropLast()) + "*"
        }
        guard zmq_bind(handle, spec) == 0 else { throw ZMQError.last("zmq_bind", endpoint) }
        return lastEndpoint() ?? endpoint
    }

    func connect(_ endpoint: String) throws(ZMQError) {
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError.last("zmq_connect", endpoint) }
    }

    func lastEndpoint() -> String? {
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        guard zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else { return nil }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Sends one multipart message without blocking. The first error is thrown and nothing is
    /// sent: libzmq queues multipart messages atomically, and a ROUTER refuses at the first frame.
    func send(_ frames: [Data]) throws(ZMQError) {
        for (i, frame) in frames.enumerated() {
            let flags = ZMQ_DONTWAIT | (i < frames.count - 1 ? ZMQ_SNDMORE : 0)
            let rc = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
            if rc < 0 {
                let error = ZMQError.last("zmq_send")
                if error.code == EINTR { continue }
                throw error
            }
        }
    }

    /// The result of one non-blocking receive.
    enum Received {
        case message(frames: [Data], userID: String?)
        /// A message with more frames than allowed; its frames were drained and discarded.
        case oversized
        case wouldBlock
    }

    /// Receives one whole multipart message without blocking.
    func receive(maxFrames: Int) throws(ZMQError) -> Received {
        var frames: [Data] = []
        var userID: String?
        var tooMany = false
        while true {
            var msg = zmq_msg_t()
            zmq_msg_init(&msg)
            defer { zmq_msg_close(&msg) }
            let flags = frames.isEmpty && !tooMany ? ZMQ_DONTWAIT : 0
            let rc = zmq_msg_recv(&msg, handle, flags)
            if rc < 0 {
                let error = ZMQError.last("zmq_msg_recv")
                if error.code == EAGAIN && frames.isEmpty && !tooMany { return .wouldBlock }
                if error.code == EINTR { continue }
                throw error
            }
            if frames.count < maxFrames {
                let size = zmq_msg_size(&msg)
                if size == 0 {
                    frames.append(Data())
                } else {
                    frames.append(Data(bytes: zmq_msg_data(&msg), count: size))
                }
            } else {
                tooMany = true
            }
            if userID == nil, let raw = zmq_msg_gets(&msg, "User-Id") {
                userID = String(cString: raw)
            }
            if zmq_msg_more(&msg) == 0 { break }
        }
        return tooMany ? .oversized : .message(frames: frames, userID: userID)
    }
}
