import Foundation
import SwellCore
import SwellProtocol
import SwellWire
import SwellSecurity
import SwellZMQ

/// A client's DEALER connection to a coordinator.
///
/// ``run()`` (in a child task, for the connection's lifetime) reads the socket and ticks a
/// clock into one queue; the command's code reads that queue through a ``ClientReader``,
/// so deadlines need no extra concurrency.
final class ClientConnection: Sendable {
    enum Input: Sendable {
        case message(Message)
        case tick
        /// The embedded coordinator or node stopped with this error.
        case failure(String)
        /// The security handshake with the coordinator did not go through.
        case handshake(HandshakeTrouble)
    }

    let endpoint: String
    let socket: ZMQSocketHandle
    let incarnation: String
    let inbox = EventQueue<Input>()
    private let ids = IDSource()

    let secured: Bool

    static func open(io: ZMQIOThread, endpoint: String, curve: ZMQSocketConfiguration.Curve? = nil) async throws -> ClientConnection {
        let incarnation = UUID().uuidString.lowercased()
        let remote = !endpoint.hasPrefix("inproc://")
        do {
            let socket = try await io.open(ZMQSocketConfiguration(
                // The routing id is not the incarnation: an id others can learn could take
                // this connection over (ROUTER_HANDOVER).
                kind: .dealer, routingID: Array("client/\(UUID().uuidString.lowercased())".utf8),
                // Only the coordinator talks to a client; a run's outputs may be large.
                maxFrameSize: 1 << 30, heartbeat: remote ? .standard : nil,
                reconnectIntervalMax: 2_000, curve: curve, monitorHandshakes: remote, connects: [endpoint]))
            return ClientConnection(endpoint: endpoint, socket: socket, incarnation: incarnation, secured: curve != nil)
        } catch let error as ZMQError {
            throw ClientError(.unreachable, "cannot connect to \(endpoint): \(error.message)")
        }
    }

    init(endpoint: String, socket: ZMQSocketHandle, incarnation: String, secured: Bool) {
        self.endpoint = endpoint
        self.socket = socket
        self.incarnation = incarnation
        self.secured = secured
    }

    /// Reads the socket and ticks every 100 ms until cancelled.
    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await message in self.socket.inbound {
                    if let decoded = try? WireCodec.decode(message.frames) { self.inbox.push(.message(decoded)) }
                }
            }
            group.addTask {
                while (try? await Task.sleep(for: .milliseconds(100))) != nil { self.inbox.push(.tick) }
            }
            group.addTask {
                for await event in self.socket.events {
                    guard let trouble = HandshakeTrouble(event, secured: self.secured) else { continue }
                    self.inbox.push(.handshake(trouble))
                }
            }
        }
    }

    func nextID() -> UInt64 { ids.next() }

    /// A new connection to the coordinator, with the same routing id.
    func reconnect() { socket.reconnect(endpoint) }

    func send(_ message: Message) { socket.send(WireCodec.encode(message)) }

    /// Says goodbye and closes the socket.
    func close() {
        send(.leave(Leave(id: nextID(), reason: "client done")))
        socket.close()
    }

    /// The HELLO this client sends.
    func hello() -> UInt64 {
        let id = nextID()
        send(.hello(Hello(id: id, role: .client, name: "swell", incarnation: incarnation)))
        return id
    }
}

extension ClientConnection {
    /// Connects to the coordinator at `endpoint` on an I/O thread of its own, says HELLO, runs
    /// `body`, then says goodbye and stops the thread, whatever `body` did.
    static func session<T: Sendable>(
        endpoint: String, curve: ZMQSocketConfiguration.Curve? = nil, timeout: Duration = .seconds(5),
        _ body: @Sendable (ClientConnection, inout ClientReader) async throws -> T
    ) async throws -> T {
        let io = try ZMQIOThread(context: ZMQContext(), name: "swell-zmq")
        let connection: ClientConnection
        do {
            connection = try await open(io: io, endpoint: endpoint, curve: curve)
        } catch {
            await io.shutdown()
            throw error
        }
        let result: Result<T, any Error> = await withTaskGroup(of: Void.self) { group in
            group.addTask { await connection.run() }
            defer { group.cancelAll() }
            do {
                var reader = ClientReader(connection)
                try await reader.hello(timeout: timeout)
                return .success(try await body(connection, &reader))
            } catch {
                return .failure(error)
            }
        }
        connection.close()
        await io.shutdown()
        return try result.get()
    }
}
