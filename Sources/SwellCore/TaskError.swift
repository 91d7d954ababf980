/// Why an attempt did not end with an exit status or a signal of its own.
package enum TaskError: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Stopped on purpose: its run or assignment was cancelled, or its node left. It ends its
    /// task without a retry.
    case cancelled
    /// It could not run, and why: the program could not start, the node's `--allow` list or
    /// `--workdir` refused it, the command was empty.
    case failed(String)

    /// As reports show it, and as the protocol, the journal and `swell logs --json` carry it.
    package var description: String {
        switch self {
        case .cancelled: "cancelled"
        case .failed(let why): why
        }
    }

    package init(_ text: String) {
        self = text == TaskError.cancelled.description ? .cancelled : .failed(text)
    }

    package init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
