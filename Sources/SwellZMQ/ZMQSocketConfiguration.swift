/// How to create, tune, bind and connect one socket.
///
/// The defaults follow the project's ZeroMQ rules: LINGER 0, high-water marks raised so that
/// bursts queue instead of failing, a per-frame size limit, ZMTP heartbeats, and on ROUTER
/// sockets ROUTER_MANDATORY (no silent drops) and ROUTER_HANDOVER (a reconnecting peer with
/// the same routing id takes over its old connection).
package struct ZMQSocketConfiguration: Sendable {
    package enum Kind: Sendable {
        case router
        case dealer
    }

    /// ZMTP heartbeats, in milliseconds (ZMQ_HEARTBEAT_IVL / _TIMEOUT / _TTL).
    package struct Heartbeat: Sendable, Equatable {
        package var interval: Int32
        package var timeout: Int32
        package var ttl: Int32
        package init(interval: Int32, timeout: Int32, ttl: Int32) {
            self.interval = interval
            self.timeout = timeout
            self.ttl = ttl
        }
        /// 1 s pings; a silent path is dropped after 3 s, which lets the DEALER reconnect.
        package static let standard = Heartbeat(interval: 1_000, timeout: 3_000, ttl: 6_000)
    }

    /// CurveZMQ settings: a server key pair, or a client key pair plus the server's public key.
    /// Keys are 40-character Z85 strings.
    package enum Curve: Sendable, Equatable {
        case server(publicKey: String, secretKey: String)
        case client(publicKey: String, secretKey: String, serverKey: String)
    }

    package var kind: Kind
    /// ZMQ_ROUTING_ID for DEALER sockets; nil lets libzmq choose.
    package var routingID: [UInt8]?
    /// ZMQ_SNDHWM / ZMQ_RCVHWM. Default 100,000 messages per peer.
    package var highWaterMark: Int32
    /// ZMQ_MAXMSGSIZE, checked per frame; a peer sending a larger frame is disconnected. Default 64 MiB.
    package var maxFrameSize: Int64
    /// Messages with more frames than this are dropped and counted. Default 8.
    package var maxFrames: Int
    /// ZMTP heartbeats; nil turns them off (inproc sockets have no use for them).
    package var heartbeat: Heartbeat?
    /// ZMQ_RECONNECT_IVL and ZMQ_RECONNECT_IVL_MAX in milliseconds. Default 100 ms doubling to 5 s.
    package var reconnectInterval: Int32
    package var reconnectIntervalMax: Int32
    /// ZMQ_ZAP_DOMAIN, set on servers that authenticate through ZAP.
    package var zapDomain: String?
    package var curve: Curve?
    /// Inbound messages not yet taken by the consumer before the I/O thread stops reading this
    /// socket (libzmq then applies its own high-water mark and TCP flow control). Default 50,000.
    package var inboundLimit: Int
    /// Report handshake outcomes (see ``ZMQSocketHandle/events``). Default false.
    package var monitorHandshakes: Bool
    /// At most this many connections accepted at once on the socket's listening endpoints: one
    /// past it is closed as soon as libzmq accepts it, and reported
    /// (``ZMQHandshakeEvent/turnedAway(endpoint:count:held:)``). Each connection is an open file:
    /// without a limit below the process's, peers can take the last ones, and then libzmq retries
    /// its accept in a loop and the process cannot open a file. nil: no limit.
    package var connectionLimit: Int?
    package var binds: [String]
    package var connects: [String]

    package init(
        kind: Kind,
        routingID: [UInt8]? = nil,
        highWaterMark: Int32 = 100_000,
        maxFrameSize: Int64 = 64 << 20,
        maxFrames: Int = 8,
        heartbeat: Heartbeat? = .standard,
        reconnectInterval: Int32 = 100,
        reconnectIntervalMax: Int32 = 5_000,
        zapDomain: String? = nil,
        curve: Curve? = nil,
        inboundLimit: Int = 50_000,
        monitorHandshakes: Bool = false,
        connectionLimit: Int? = nil,
        binds: [String] = [],
        connects: [String] = []
    ) {
        self.monitorHandshakes = monitorHandshakes
        self.connectionLimit = connectionLimit
        self.kind = kind
        self.routingID = routingID
        self.highWaterMark = highWaterMark
        self.maxFrameSize = maxFrameSize
        self.maxFrames = maxFrames
        self.heartbeat = heartbeat
        self.reconnectInterval = reconnectInterval
        self.reconnectIntervalMax = reconnectIntervalMax
        self.zapDomain = zapDomain
        self.curve = curve
        self.inboundLimit = inboundLimit
        self.binds = binds
        self.connects = connects
    }
}
