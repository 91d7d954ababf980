/// Every message of protocol version 1.
package enum Message: Sendable {
    case hello(Hello)
    case welcome(Welcome)
    case heartbeat(Heartbeat)
    case assign(Assign)
    case relay(ReportMessage)
    case report(ReportMessage)
    case summary(SummaryMessage)
    case ack(Ack)
    case cancel(Cancel)
    case leave(Leave)
    case refusal(Refusal)
    case submit(Submit)
    case accepted(Accepted)
    case rejected(Rejected)
    case event(Event)
    case result(RunResult)
    case output(OutputChunk)
    case attach(Attach)
    case statusRequest(StatusRequest)
    case status(StatusReply)
    case logsRequest(LogsRequest)
    case logs(LogsReply)
    case inputRequest(InputRequest)
    case input(InputChunk)
    case leaseRequest(LeaseList)
    case lease(LeaseList)

    /// The type name on the wire (second frame).
    package var type: String {
        switch self {
        case .hello: "HELLO"
        case .welcome: "WELCOME"
        case .heartbeat: "HEARTBEAT"
        case .assign: "ASSIGN"
        case .relay: "RELAY"
        case .report: "REPORT"
        case .summary: "SUMMARY"
        case .ack: "ACK"
        case .cancel: "CANCEL"
        case .leave: "LEAVE"
        case .refusal: "REFUSAL"
        case .submit: "SUBMIT"
        case .accepted: "ACCEPTED"
        case .rejected: "REJECTED"
        case .event: "EVENT"
        case .result: "RESULT"
        case .output: "OUTPUT"
        case .attach: "ATTACH"
        case .statusRequest: "STATUS?"
        case .status: "STATUS"
        case .logsRequest: "LOGS?"
        case .logs: "LOGS"
        case .inputRequest: "INPUT?"
        case .input: "INPUT"
        case .leaseRequest: "LEASE?"
        case .lease: "LEASE"
        }
    }

    /// The sender's message id.
    package var id: UInt64 {
        switch self {
        case .hello(let m): m.id
        case .welcome(let m): m.id
        case .heartbeat(let m): m.id
        case .assign(let m): m.id
        case .relay(let m): m.id
        case .report(let m): m.id
        case .summary(let m): m.id
        case .ack(let m): m.id
        case .cancel(let m): m.id
        case .leave(let m): m.id
        case .refusal(let m): m.id
        case .submit(let m): m.id
        case .accepted(let m): m.id
        case .rejected(let m): m.id
        case .event(let m): m.id
        case .result(let m): m.id
        case .output(let m): m.id
        case .attach(let m): m.id
        case .statusRequest(let m): m.id
        case .status(let m): m.id
        case .logsRequest(let m): m.id
        case .logs(let m): m.id
        case .inputRequest(let m): m.id
        case .input(let m): m.id
        case .leaseRequest(let m): m.id
        case .lease(let m): m.id
        }
    }
}
