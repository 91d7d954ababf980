/// How a coordinator admits peers.
package enum SecurityMode: String, Sendable, Codable {
    /// By CURVE key, as the authorized file says.
    case curve
    /// Anyone who can connect, on a loopback address (or in-process).
    case loopback
    /// Anyone who can connect, beyond loopback (`--insecure`).
    case insecure
}
