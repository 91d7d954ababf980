import Foundation
import Synchronization
import SwellSecurity
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server for Prometheus scrapes: `GET /metrics` (and `HEAD`) answers with
/// what `body` makes; any other path is 404, any other method 405. Its thread accepts and hands
/// each connection to a thread of its own (at most ``mostConnections`` at once; beyond them a
/// connection gets 503 at once), which closes it after its answer; a client that has not sent
/// its whole request 5 s after it connected is dropped, so a slow or silent client never holds up
/// a scrape. It sleeps in `poll` between connections: no timer wakes it.
package final class MetricsServer: Sendable {
    /// Where it listens, as `HOST:PORT` with the port it bound (`--metrics` with port 0 picks one).
    package let address: String
    private let listener: Int32
    /// Written to stop the thread.
    private let wake: (read: Int32, write: Int32)
    private let body: @Sendable () -> [UInt8]
    private let stopped = Mutex(false)
    /// Connections being answered.
    private let active = Mutex(0)
    /// The most connections answered at once.
    package static let mostConnections = 64
    /// How long a client has to send its request, from when it connected.
    static let requestDeadline: Duration = .seconds(5)

    /// The error `--metrics` gets: the address cannot be read, or cannot be bound.
    package struct Failure: Error, CustomStringConvertible, Sendable {
        package var address: String
        package var reason: String
        package var description: String { "cannot serve metrics on \(address): \(reason)" }
    }

    /// Binds `address` (`HOST:PORT`, `[IPv6]:PORT`) and starts answering.
    package init(address: String, body: @escaping @Sendable () -> [UInt8]) throws(Failure) {
        let (host, port) = try Self.split(address)
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE
        var found: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, port, &hints, &found)
        guard resolved == 0, let info = found else {
            throw Failure(address: address, reason: String(cString: gai_strerror(resolved)))
        }
        defer { freeaddrinfo(found) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(address: address, reason: String(cString: strerror(errno))) }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw Failure(address: address, reason: reason)
        }
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else {
            close(fd)
            throw Failure(address: address, reason: String(cString: strerror(errno)))
        }
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        self.listener = fd
        self.wake = (pipeEnds[0], pipeEnds[1])
        self.body = body
        self.address = Self.boundAddress(fd, host: host)
        let thread = Thread { [self] in serve() }
        thread.name = "swell-metrics"
        thread.start()
    }

    /// Stops answering and closes the socket (the thread ends at its next wake-up, at once).
    package func stop() {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
    }

    private func serve() {
        defer {
            close(listener)
            close(wake.read)
            close(wake.write)
        }
        var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0), pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
        while true {
            fds[0].revents = 0
            fds[1].revents = 0
            let ready = poll(&fds, 2, -1)
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 || fds[1].revents != 0 { return }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            let admitted = active.withLock { count in
                guard count < Self.mostConnections else { return false }
                count += 1
                return true
            }
            guard admitted else {
                var brief = timeval(tv_sec: 0, tv_usec: 100_000)
                setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &brief, socklen_t(MemoryLayout<timeval>.size))
                send(client, status: "503 Service Unavailable", body: Array("too many connections\n".utf8))
                close(client)
                continue
            }
            let thread = Thread { [self] in
                answer(client)
                close(client)
                active.withLock { $0 -= 1 }
            }
            thread.name = "swell-metrics-client"
            thread.start()
        }
    }

    /// Reads one request and answers it.
    private func answer(_ client: Int32) {
        var limit = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let deadline = ContinuousClock.now + Self.requestDeadline
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while request.count < 16 << 10, !Self.headerEnded(request) {
            // The deadline is for the whole request, however slowly its bytes come.
            let left = deadline - .now
            guard left > .zero else { return }
            var ready = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            let waited = poll(&ready, 1, Int32(max(1, left.components.seconds * 1_000 + left.components.attoseconds / 1_000_000_000_000_000)))
            if waited < 0 && errno == EINTR { continue }
            guard waited > 0 else { return }
            let count = read(client, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            request += buffer[0..<count]
        }
        guard Self.headerEnded(request) else {
            if !request.contains(UInt8(ascii: "\n")) {
                send(client, status: "414 URI Too Long", body: Array("request line too long\n".utf8))
            } else {
                send(client, status: "431 Request Header Fields Too Large", body: Array("request header too large\n".utf8))
            }
            return
        }
        let line = String(decoding: request.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else {
            send(client, status: "400 Bad Request", body: Array("not an HTTP/1.x request\n".utf8))
            return
        }
        let method = parts[0], path = parts[1].split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        guard method == "GET" || method == "HEAD" else {
            send(client, status: "405 Method Not Allowed", extra: "Allow: GET, HEAD\r\n", body: Array("only GET and HEAD\n".utf8))
            return
        }
        guard path == "/metrics" else {
            send(client, status: "404 Not Found", body: Array("swell-coordinator serves its metrics at /metrics\n".utf8))
            return
        }
        send(client, status: "200 OK", type: "text/plain; version=0.0.4; charset=utf-8", body: body(), headOnly: method == "HEAD")
    }

    private func send(_ client: Int32, status: String, type: String = "text/plain; charset=utf-8", extra: String = "",
                      body: [UInt8], headOnly: Bool = false) {
        let head = "HTTP/1.1 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\n\(extra)Connection: close\r\n\r\n"
        var bytes = Array(head.utf8)
        if !headOnly { bytes += body }
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            sent += count
        }
    }

    /// The header ends at an empty line (`\r\n\r\n`, or `\n\n` from a client that sends bare
    /// line feeds).
    private static func headerEnded(_ request: [UInt8]) -> Bool {
        var previous: UInt8 = 0
        var lineEmpty = false
        for byte in request {
            if byte == 10 {
                if lineEmpty || previous == 10 { return true }
                lineEmpty = true
            } else if byte != 13 {
                lineEmpty = false
            }
            previous = byte
        }
        return false
    }

    /// `HOST:PORT` or `[HOST]:PORT` into its parts.
    package static func split(_ address: String) throws(Failure) -> (host: String, port: String) {
        var host: Substring, port: Substring
        if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
            host = address[address.index(after: address.startIndex)..<close]
            let rest = address[address.index(after: close)...]
            guard rest.hasPrefix(":") else { throw Failure(address: address, reason: "give HOST:PORT, for example 127.0.0.1:9464") }
            port = rest.dropFirst()
        } else {
            guard let colon = address.lastIndex(of: ":"), !address[..<colon].contains(":") else {
                throw Failure(address: address, reason: "give HOST:PORT, for example 127.0.0.1:9464 (an IPv6 host goes in brackets)")
            }
            host = address[..<colon]
            port = address[address.index(after: colon)...]
        }
        guard !host.isEmpty, let number = Int(port), (0...65_535).contains(number) else {
            throw Failure(address: address, reason: "give HOST:PORT with a port from 0 to 65535, for example 127.0.0.1:9464")
        }
        return (String(host), String(number))
    }

    /// Whether `address` (as ``address`` gives it) is on a loopback interface.
    package static func isLoopback(_ address: String) -> Bool {
        ListenPolicy.isLoopback("tcp://" + address)
    }

    /// The host as given and the port the socket has.
    private static func boundAddress(_ fd: Int32, host: String) -> String {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let port: UInt16 = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
            if Int32(pointer.pointee.ss_family) == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
        return (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }
}
