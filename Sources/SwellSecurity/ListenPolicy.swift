/// Where a coordinator without keys may listen: only on loopback.
package enum ListenPolicy {
    /// Whether `endpoint` (`tcp://HOST:PORT`) binds only a loopback address: 127.0.0.0/8,
    /// `[::1]`, `localhost` or the `lo` interface. Wildcards (`*`, `0.0.0.0`) are not loopback.
    package static func isLoopback(_ endpoint: String) -> Bool {
        guard endpoint.hasPrefix("tcp://") else { return endpoint.hasPrefix("inproc://") || endpoint.hasPrefix("ipc://") }
        var host = String(endpoint.dropFirst(6))
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            return host[host.index(after: host.startIndex)..<close] == "::1"
        }
        if let colon = host.lastIndex(of: ":") { host = String(host[..<colon]) }
        // An interface;address form (`lo;127.0.0.1`) binds the address.
        if let semicolon = host.firstIndex(of: ";") { host = String(host[host.index(after: semicolon)...]) }
        if host == "localhost" || host == "lo" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else { return false }
        return parts[0] == "127"
    }
}
