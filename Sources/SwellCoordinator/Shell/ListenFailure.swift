/// The coordinator cannot bind its endpoint (the port is taken, the address is not this host's).
package struct ListenFailure: Error, CustomStringConvertible, Sendable {
    package var endpoints: [String]
    package var reason: String
    package var description: String { "cannot listen on \(endpoints.joined(separator: " ")): \(reason)" }
}
