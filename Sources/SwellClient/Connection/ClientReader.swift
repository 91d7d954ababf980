import SwellProtocol
import SwellPlan
import SwellSecurity

/// The consumer side of a ``ClientConnection``: messages in order, with deadlines.
struct ClientReader {
    let connection: ClientConnection
    private var backlog: [Message] = []
    let clock = ContinuousClock()

    init(_ connection: ClientConnection) {
        self.connection = connection
    }

    /// Why the embedded coordinator or node stopped, once it has.
    private(set) var failure: String?
    /// Why the coordinator would not admit this client, once its handshake failed.
    private(set) var refusal: String?
    /// A handshake that ended with no reason given: the connection is tried again (libzmq
    /// reconnects) until the deadline, since a coordinator at its connection limit, or too
    /// busy to answer in time, hangs up so too; said only if nothing else came by then.
    private var unanswered: String?

    /// The next message, or nil at `deadline`, when the connection ends, or after a failure.
    mutating func next(until deadline: ContinuousClock.Instant?) async -> Message? {
        while true {
            if !backlog.isEmpty { return backlog.removeFirst() }
            if failure != nil || refusal != nil { return nil }
            if let deadline, clock.now >= deadline { return nil }
            guard let batch = await connection.inbox.next() else { return nil }
            for input in batch {
                switch input {
                case .message(let message):
                    backlog.append(message)
                case .failure(let reason):
                    failure = reason
                case .handshake(.unanswered):
                    unanswered = HandshakeTrouble.unanswered.explanation(coordinator: connection.endpoint, as: .client)
                case .handshake(let trouble):
                    refusal = trouble.explanation(coordinator: connection.endpoint, as: .client)
                case .tick:
                    break
                }
            }
            if backlog.isEmpty, let deadline, clock.now >= deadline { return nil }
        }
    }

    /// The first message `match` accepts within `timeout`; others are dropped.
    mutating func expect(within timeout: Duration, _ match: (Message) -> Bool) async -> Message? {
        let deadline = clock.now + timeout
        while let message = await next(until: deadline) {
            if match(message) { return message }
        }
        return nil
    }

    /// Says HELLO and waits for WELCOME. Throws `unreachable` with a clear message.
    mutating func hello(timeout: Duration = .seconds(5)) async throws {
        let id = connection.hello()
        let reply = await expect(within: timeout) { message in
            switch message {
            case .welcome(let w): return w.replyTo == id
            case .refusal(let r): return r.replyTo == id || r.replyTo == nil
            default: return false
            }
        }
        switch reply {
        case .welcome?:
            return
        case .refusal(let refusal)?:
            throw ClientError(.unreachable, "the coordinator at \(connection.endpoint) refused this client: \(refusal.message)")
        default:
            if let refusal = refusal ?? unanswered { throw ClientError(.unreachable, refusal) }
            throw ClientError(.unreachable,
                "no answer from a coordinator at \(connection.endpoint) within \(Durations.format(timeout)); is swell-coordinator running there?")
        }
    }
}
