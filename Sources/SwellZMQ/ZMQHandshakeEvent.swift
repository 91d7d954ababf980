/// What happened to a connection's security handshake (from libzmq's socket monitor).
package enum ZMQHandshakeEvent: Sendable, Equatable {
    case succeeded(endpoint: String)
    /// The peer refused our credentials, or ours refused theirs (ZAP said no): `status` is the
    /// ZAP status code (400 for a refused key).
    case refused(endpoint: String, status: Int)
    /// The two sides do not speak the same security mechanism (for example CURVE against NULL).
    case mechanismMismatch(endpoint: String)
    case failed(endpoint: String)
    /// Connections to a listening endpoint closed at once, `count` of them since the last such
    /// event, because the socket held its ``ZMQSocketConfiguration/connectionLimit`` (`held`:
    /// the connections open when the last of them came).
    case turnedAway(endpoint: String, count: Int, held: Int)
}
