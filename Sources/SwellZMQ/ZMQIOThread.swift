import CZeroMQ
import DequeModule
import Foundation
import Synchronization

/// The one thread of a process that owns its ZeroMQ sockets.
///
/// Async code never touches a socket: it enqueues commands (open, send, close) which the
/// thread picks up after an eventfd wake-up, and it reads inbound messages from each socket's
/// ``ZMQInbound`` stream. Sends never block: a message libzmq cannot take yet (EAGAIN at the
/// high-water mark) waits in a per-peer retry queue and goes out, in order, when it can.
package final class ZMQIOThread: @unchecked Sendable {
    // @unchecked: `commands` and `nextID` are guarded by their Mutexes; `entries`, `running` and
    // every ZMQSocket are touched only by the I/O thread itself (`loop()` and what it calls).

    private enum Command {
        case open(id: Int, ZMQSocketConfiguration, Entry.Shared, CheckedContinuation<[String], any Error>)
        case send(id: Int, frames: [Data])
        case close(id: Int)
        case reconnect(id: Int, endpoint: String)
        case zap(Entry.Shared, @Sendable (ZAPRequest) -> ZAPResponse, CheckedContinuation<Void, any Error>)
        case stop
    }

    private let context: ZMQContext
    private let wakeFD: Int32
    private let commands = Mutex<[Command]>([])
    private let nextID = Mutex<Int>(0)
    private let stopped = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    private var entries: [Int: Entry] = [:]
    private var zapSocket: ZMQSocket?
    private var zapHandler: (@Sendable (ZAPRequest) -> ZAPResponse)?
    private var running = true

    /// Starts the thread. `name` shows in debuggers and `top -H`.
    package init(context: ZMQContext, name: String = "swell-zmq") throws(ZMQError) {
        self.context = context
        let fd = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard fd >= 0 else { throw ZMQError(code: errno, operation: "eventfd") }
        self.wakeFD = fd
        let thread = Thread { [self] in self.loop() }
        thread.name = name
        thread.start()
    }

    deinit { Glibc.close(wakeFD) }

    // MARK: API for async code

    /// Creates a socket on the I/O thread, applies `configuration`, binds and connects.
    /// Returns once the socket is ready; bind errors (address in use, bad endpoint) are thrown.
    package func open(_ configuration: ZMQSocketConfiguration) async throws -> ZMQSocketHandle {
        let id = nextID.withLock { $0 += 1; return $0 }
        let (stream, continuation) = AsyncStream.makeStream(of: ZMQMessage.self)
        let (events, eventSink) = AsyncStream.makeStream(of: ZMQHandshakeEvent.self, bufferingPolicy: .bufferingNewest(64))
        if !configuration.monitorHandshakes && configuration.connectionLimit == nil { eventSink.finish() }
        let shared = Entry.Shared(gate: InboundGate(limit: configuration.inboundLimit), continuation: continuation,
                                  events: eventSink)
        let endpoints: [String] = try await withCheckedThrowingContinuation { done in
            enqueue(.open(id: id, configuration, shared, done))
        }
        return ZMQSocketHandle(
            id: id, kind: configuration.kind, endpoints: endpoints, thread: self, shared: shared,
            inbound: ZMQInbound(stream: stream, gate: shared.gate, thread: self), events: events)
    }

    /// Installs the ZAP handler (a REP socket at `inproc://zeromq.zap.01` on this thread's
    /// context). Must run before any socket that authenticates is bound.
    package func installZAPHandler(_ handler: @escaping @Sendable (ZAPRequest) -> ZAPResponse) async throws {
        let shared = Entry.Shared(gate: InboundGate(limit: 1), continuation: AsyncStream.makeStream(of: ZMQMessage.self).continuation,
                                  events: AsyncStream.makeStream(of: ZMQHandshakeEvent.self).continuation)
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            enqueue(.zap(shared, handler, done))
        }
    }

    /// Closes every socket and ends the thread. Inbound streams finish.
    package func shutdown() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let already = stopped.withLock { state -> Bool in
                if state.done { return true }
                state.waiters.append(done)
                return false
            }
            if already { done.resume() } else { enqueue(.stop) }
        }
    }

    func send(id: Int, frames: [Data]) { enqueue(.send(id: id, frames: frames)) }
    func close(id: Int) { enqueue(.close(id: id)) }
    func reconnect(id: Int, endpoint: String) { enqueue(.reconnect(id: id, endpoint: endpoint)) }

    private func enqueue(_ command: Command) {
        let wasEmpty = commands.withLock { queue -> Bool in
            queue.append(command)
            return queue.count == 1
        }
        if wasEmpty { wake() }
    }

    func wake() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { Glibc.write(wakeFD, $0.baseAddress, 8) }
    }

    // MARK: The thread

    /// A socket owned by the thread.
    final class Entry {
        /// The part of an entry the async side holds too.
        final class Shared: Sendable {
            let gate: InboundGate
            let continuation: AsyncStream<ZMQMessage>.Continuation
            let events: AsyncStream<ZMQHandshakeEvent>.Continuation
            let stats = Mutex(ZMQSocketStatistics(
                received: 0, sent: 0, droppedTooManyFrames: 0, droppedUnroutable: 0, droppedOverflow: 0))
            init(gate: InboundGate, continuation: AsyncStream<ZMQMessage>.Continuation,
                 events: AsyncStream<ZMQHandshakeEvent>.Continuation) {
                self.gate = gate
                self.continuation = continuation
                self.events = events
            }
        }

        let socket: ZMQSocket
        /// The PAIR socket libzmq's monitor writes handshake events to, if monitored.
        var monitor: ZMQSocket?
        /// The endpoints bound, resolved.
        var bound: [String] = []
        /// With a connection limit: the descriptors of the connections accepted and not yet
        /// closed, and those turned away since the last report.
        var accepted: Set<Int32> = []
        var turnedAway = 0
        var turnedAwayAt = ""
        /// The connections open when the last one was turned away.
        var heldWhenTurnedAway = 0
        var lastTurnedAwayReport: ContinuousClock.Instant?
        static let turnedAwayReportEvery: Duration = .seconds(10)
        let configuration: ZMQSocketConfiguration
        let shared: Shared
        /// Messages libzmq refused with EAGAIN, per peer (an empty key on a DEALER), oldest first.
        var retry: [Data: Deque<[Data]>] = [:]
        var retryCount = 0
        static let retryLimitPerPeer = 100_000

        init(socket: ZMQSocket, configuration: ZMQSocketConfiguration, shared: Shared) {
            self.socket = socket
            self.configuration = configuration
            self.shared = shared
        }
    }

    private func loop() {
        var items: [zmq_pollitem_t] = []
        var order: [Int] = []
        while running {
            items.removeAll(keepingCapacity: true)
            order.removeAll(keepingCapacity: true)
            items.append(zmq_pollitem_t(socket: nil, fd: wakeFD, events: Int16(ZMQ_POLLIN), revents: 0))
            if let zap = zapSocket {
                items.append(zmq_pollitem_t(socket: zap.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0))
            }
            let fixed = items.count
            var anyRetry = false
            for (id, entry) in entries {
                var events: Int16 = 0
                if !entry.shared.gate.isPaused { events |= Int16(ZMQ_POLLIN) }
                if entry.retryCount > 0 { events |= Int16(ZMQ_POLLOUT); anyRetry = true }
                items.append(zmq_pollitem_t(socket: entry.socket.handle, fd: 0, events: events, revents: 0))
                order.append(id)
            }
            let monitored = entries.filter { $0.value.monitor != nil }.map(\.key)
            for id in monitored {
                items.append(zmq_pollitem_t(socket: entries[id]!.monitor!.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0))
            }
            // A ROUTER's POLLOUT says nothing about one peer's pipe: poll retries on a short timer too.
            let reportDue = entries.values.contains { $0.turnedAway > 0 }
            let rc = zmq_poll(&items, Int32(items.count), anyRetry ? 5 : reportDue ? 1_000 : -1)
            if rc < 0 {
                if zmq_errno() == EINTR { continue }
                break
            }
            if items[0].revents & Int16(ZMQ_POLLIN) != 0 {
                var value: UInt64 = 0
                _ = withUnsafeMutableBytes(of: &value) { Glibc.read(wakeFD, $0.baseAddress, 8) }
            }
            if fixed == 2, items[1].revents & Int16(ZMQ_POLLIN) != 0 {
                serveZAP()
            }
            runCommands()
            for (offset, id) in order.enumerated() {
                guard let entry = entries[id] else { continue }
                let revents = items[fixed + offset].revents
                if entry.retryCount > 0 { flushRetries(entry) }
                if revents & Int16(ZMQ_POLLIN) != 0 { receive(entry) }
            }
            for (offset, id) in monitored.enumerated() where items[fixed + order.count + offset].revents & Int16(ZMQ_POLLIN) != 0 {
                if let entry = entries[id] { readMonitor(entry) }
            }
            if reportDue { for entry in entries.values { reportTurnedAway(entry) } }
        }
        for (_, entry) in entries { closeEntry(entry) }
        entries.removeAll()
        zapSocket?.close()
        zapSocket = nil
        let waiters = stopped.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.done = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func runCommands() {
        let batch = commands.withLock { queue -> [Command] in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
        for command in batch {
            switch command {
            case .open(let id, let configuration, let shared, let done):
                do {
                    let socket = try ZMQSocket(context: context, kind: configuration.kind)
                    do {
                        try socket.configure(configuration)
                        let entry = Entry(socket: socket, configuration: configuration, shared: shared)
                        if configuration.monitorHandshakes || configuration.connectionLimit != nil {
                            // Watch the handshakes (and connections) before any connection exists.
                            let address = "inproc://swell-monitor-\(id)-\(UInt32.random(in: 0...UInt32.max))"
                            var events: Int32 = 0
                            if configuration.monitorHandshakes {
                                events |= ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
                                    | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
                            }
                            if configuration.connectionLimit != nil { events |= ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED }
                            guard zmq_socket_monitor(socket.handle, address, events) == 0 else {
                                throw ZMQError.last("zmq_socket_monitor", address)
                            }
                            let monitor = try ZMQSocket(context: context, rawType: ZMQ_PAIR)
                            try monitor.set(ZMQ_LINGER, Int32(0), name: "ZMQ_LINGER")
                            // No high-water mark on the monitor's pipe: libzmq drops the events
                            // it cannot queue, and the connection count must see every one.
                            try monitor.set(ZMQ_RCVHWM, Int32(0), name: "ZMQ_RCVHWM")
                            try monitor.connect(address)
                            entry.monitor = monitor
                        }
                        var bound: [String] = []
                        for endpoint in configuration.binds { bound.append(try socket.bind(endpoint)) }
                        for endpoint in configuration.connects {
                            try socket.connect(endpoint)
                            bound.append(endpoint)
                        }
                        entry.bound = Array(bound.prefix(configuration.binds.count))
                        entries[id] = entry
                        done.resume(returning: bound)
                    } catch {
                        socket.close()
                        throw error
                    }
                } catch {
                    shared.continuation.finish()
                    shared.events.finish()
                    done.resume(throwing: error)
                }
            case .send(let id, let frames):
                guard let entry = entries[id] else { continue }
                send(entry, frames)
            case .close(let id):
                if let entry = entries.removeValue(forKey: id) { closeEntry(entry) }
            case .reconnect(let id, let endpoint):
                // libzmq gives up on a connection whose handshake was refused: a new one is made.
                guard let entry = entries[id] else { continue }
                _ = zmq_disconnect(entry.socket.handle, endpoint)
                try? entry.socket.connect(endpoint)
            case .zap(_, let handler, let done):
                do {
                    let socket = try ZMQSocket(context: context, rawType: ZMQ_REP)
                    try socket.set(ZMQ_LINGER, Int32(0), name: "ZMQ_LINGER")
                    _ = try socket.bind("inproc://zeromq.zap.01")
                    zapSocket = socket
                    zapHandler = handler
                    done.resume()
                } catch {
                    done.resume(throwing: error)
                }
            case .stop:
                running = false
            }
        }
    }

    private func closeEntry(_ entry: Entry) {
        if let monitor = entry.monitor {
            zmq_socket_monitor(entry.socket.handle, nil, 0)
            monitor.close()
        }
        entry.socket.close()
        entry.shared.continuation.finish()
        entry.shared.events.finish()
    }

    /// Monitor messages: [event id (u16) and value (u32), little-endian][endpoint].
    private func readMonitor(_ entry: Entry) {
        guard let monitor = entry.monitor else { return }
        while case .message(let frames, _) = (try? monitor.receive(maxFrames: 2)) ?? .wouldBlock {
            guard frames.count == 2, frames[0].count >= 6 else { continue }
            let bytes = [UInt8](frames[0])
            let event = Int32(bytes[0]) | Int32(bytes[1]) << 8
            let value = Int(bytes[2]) | Int(bytes[3]) << 8 | Int(bytes[4]) << 16 | Int(bytes[5]) << 24
            let endpoint = String(decoding: frames[1], as: UTF8.self)
            switch event {
            case ZMQ_EVENT_ACCEPTED: accepted(Int32(truncatingIfNeeded: value), on: endpoint, entry)
            case ZMQ_EVENT_DISCONNECTED: entry.accepted.remove(Int32(truncatingIfNeeded: value))
            case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: entry.shared.events.yield(.succeeded(endpoint: endpoint))
            case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: entry.shared.events.yield(.refused(endpoint: endpoint, status: value))
            case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: entry.shared.events.yield(.mechanismMismatch(endpoint: endpoint))
            default: entry.shared.events.yield(.failed(endpoint: endpoint))
            }
        }
    }

    /// A connection libzmq accepted: kept, or past the socket's limit closed at once. It is shut
    /// down, not closed: libzmq owns the descriptor, sees the connection end and closes it (a
    /// DISCONNECTED event then). Only a stream socket on one of the endpoints bound is touched,
    /// should the number have been closed and taken again meanwhile.
    private func accepted(_ fd: Int32, on endpoint: String, _ entry: Entry) {
        guard let limit = entry.configuration.connectionLimit else { return }
        guard entry.accepted.count >= limit else {
            entry.accepted.insert(fd)
            return
        }
        guard Self.isConnection(fd, toOneOf: entry.bound) else { return }
        Glibc.shutdown(fd, Int32(SHUT_RDWR))
        entry.turnedAway += 1
        entry.turnedAwayAt = endpoint
        entry.heldWhenTurnedAway = entry.accepted.count
        reportTurnedAway(entry)
    }

    /// Reports the connections turned away since the last report: at once, then at most once
    /// every ``Entry/turnedAwayReportEvery`` (the poll wakes for the last ones).
    private func reportTurnedAway(_ entry: Entry, at now: ContinuousClock.Instant = .now) {
        guard entry.turnedAway > 0 else { return }
        if let last = entry.lastTurnedAwayReport, now - last < Entry.turnedAwayReportEvery { return }
        entry.shared.events.yield(.turnedAway(endpoint: entry.turnedAwayAt, count: entry.turnedAway, held: entry.heldWhenTurnedAway))
        entry.turnedAway = 0
        entry.lastTurnedAwayReport = now
    }

    /// Whether `fd` is a connected stream socket whose local address is one of `endpoints`
    /// (`tcp://HOST:PORT`, by port; `ipc://` sockets are Unix sockets).
    static func isConnection(_ fd: Int32, toOneOf endpoints: [String]) -> Bool {
        var type: Int32 = 0, listening: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &size) == 0, type == Int32(SOCK_STREAM.rawValue) else { return false }
        size = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) == 0, listening == 0 else { return false }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { return false }
        let port: UInt16
        switch Int32(storage.ss_family) {
        case AF_UNIX: return endpoints.contains { $0.hasPrefix("ipc://") }
        case AF_INET: port = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) } }
        case AF_INET6: port = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) } }
        default: return false
        }
        return endpoints.contains { $0.hasPrefix("tcp://") && $0.split(separator: ":").last.flatMap { UInt16($0) } == port }
    }

    /// The routing key of an outbound message: the peer id on a ROUTER, empty on a DEALER.
    private func key(_ entry: Entry, _ frames: [Data]) -> Data {
        entry.configuration.kind == .router ? (frames.first ?? Data()) : Data()
    }

    private func send(_ entry: Entry, _ frames: [Data]) {
        let peer = key(entry, frames)
        if var queue = entry.retry[peer] {
            // Keep per-peer order: wait behind what is already queued.
            if queue.count >= Entry.retryLimitPerPeer {
                entry.shared.stats.withLock { $0.droppedOverflow += 1 }
                return
            }
            queue.append(frames)
            entry.retry[peer] = queue
            entry.retryCount += 1
            return
        }
        switch attempt(entry, frames) {
        case .sent, .dropped:
            break
        case .wouldBlock:
            entry.retry[peer] = Deque([frames])
            entry.retryCount += 1
        }
    }

    private enum SendOutcome { case sent, wouldBlock, dropped }

    private func attempt(_ entry: Entry, _ frames: [Data]) -> SendOutcome {
        do {
            try entry.socket.send(frames)
            entry.shared.stats.withLock { $0.sent += 1 }
            return .sent
        } catch {
            if error.isWouldBlock { return .wouldBlock }
            // EHOSTUNREACH: the peer is gone. The protocol resends what matters after it re-joins.
            entry.shared.stats.withLock { $0.droppedUnroutable += 1 }
            return .dropped
        }
    }

    private func flushRetries(_ entry: Entry) {
        for peer in Array(entry.retry.keys) {
            guard var queue = entry.retry[peer] else { continue }
            while let frames = queue.first {
                if case .wouldBlock = attempt(entry, frames) { break }
                queue.removeFirst()
                entry.retryCount -= 1
            }
            entry.retry[peer] = queue.isEmpty ? nil : queue
        }
    }

    private func receive(_ entry: Entry) {
        // Bounded per pass so that one busy socket cannot starve the others or the commands.
        for _ in 0..<512 {
            if entry.shared.gate.isPaused { return }
            let received: ZMQSocket.Received
            do {
                received = try entry.socket.receive(maxFrames: entry.configuration.maxFrames + 1)
            } catch {
                return
            }
            switch received {
            case .wouldBlock:
                return
            case .oversized:
                entry.shared.stats.withLock { $0.droppedTooManyFrames += 1 }
            case .message(var frames, let userID):
                var peer: Data?
                if entry.configuration.kind == .router {
                    guard !frames.isEmpty else { continue }
                    peer = frames.removeFirst()
                }
                entry.shared.stats.withLock { $0.received += 1 }
                entry.shared.continuation.yield(ZMQMessage(peer: peer, frames: frames, userID: userID, arrival: .now))
                _ = entry.shared.gate.delivered()
            }
        }
    }

    private func serveZAP() {
        guard let socket = zapSocket, let handler = zapHandler else { return }
        while true {
            guard case .message(let frames, _) = (try? socket.receive(maxFrames: 16)) ?? .wouldBlock else { return }
            let reply = ZAPRequest(frames: frames).map(handler).map { $0.frames(for: frames) } ?? ZAPResponse.malformedReply(frames)
            try? socket.send(reply)
        }
    }
}
