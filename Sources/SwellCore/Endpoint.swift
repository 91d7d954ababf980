/// The ZeroMQ endpoints Swell's options take: `tcp://HOST:PORT`, `inproc://NAME`, `ipc://PATH`.
package enum Endpoint {
    /// `endpoint` as the option should use it, or why it is not one: a TCP endpoint needs a
    /// host and a port from 1 to 65535 (0 too when `listening`: a free port). When listening,
    /// `localhost` becomes `127.0.0.1`: libzmq binds addresses and interfaces, not host names.
    package static func checked(_ endpoint: String, listening: Bool) -> Result<String, EndpointError> {
        if endpoint.hasPrefix("inproc://") || endpoint.hasPrefix("ipc://") {
            return endpoint.split(separator: "/", maxSplits: 2).count == 2 ? .success(endpoint) : .failure(EndpointError(endpoint, "it names nothing"))
        }
        guard endpoint.hasPrefix("tcp://") else {
            return .failure(EndpointError(endpoint, "an endpoint is tcp://HOST:PORT (ZeroMQ's syntax)"))
        }
        let rest = endpoint.dropFirst("tcp://".count)
        guard let colon = rest.lastIndex(of: ":"), colon != rest.startIndex else {
            return .failure(EndpointError(endpoint, "it has no port: tcp://HOST:PORT"))
        }
        let host = rest[..<colon]
        let port = rest[rest.index(after: colon)...]
        guard !port.isEmpty, port.allSatisfy(\.isASCII), port.allSatisfy(\.isNumber), let number = Int(port),
              number <= 65_535, number > 0 || listening else {
            return .failure(EndpointError(endpoint, "the port must be a number from \(listening ? 0 : 1) to 65535"))
        }
        if host.hasPrefix("[") != host.hasSuffix("]") || host.contains(" ") {
            return .failure(EndpointError(endpoint, "'\(host)' is not a host"))
        }
        if listening, host == "localhost" { return .success("tcp://127.0.0.1:\(port)") }
        return .success(endpoint)
    }
}

/// Why an option's endpoint is not one.
package struct EndpointError: Error, CustomStringConvertible, Sendable {
    package var endpoint: String
    package var why: String

    init(_ endpoint: String, _ why: String) {
        self.endpoint = endpoint
        self.why = why
    }

    package var description: String { "\(endpoint) is not an endpoint: \(why)" }
}
