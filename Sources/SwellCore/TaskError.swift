/// Why an attempt did not end with an exit status or a signal of its own.
package enum TaskError: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Stopped on purpose: its run or assignment was cancelled, or its node left. It ends its
    /// task without a retry.
    case cancelled
    /// It could not run, and why: the program could not start, the node's `--allow` list or
    /// `--workdir` refused it, the command was empty.
    case failed(String)
    /// The attempt looks like its stage's `rate-limit` (an exit code or output the provider's
    /// limit gives): not a failure; it runs again after a backoff, or `retryAfter` seconds after
    /// it ended when its output said so.
    case rateLimited(retryAfter: Double?)
    /// Stopped through no fault of its own (its node lost its lease): it runs again without
    /// counting as a failure.
    case interrupted(String)

    /// As reports show it, and as the protocol, the journal and `swell logs --json` carry it.
    package var description: String {
        switch self {
        case .cancelled: "cancelled"
        case .failed(let why): why
        case .rateLimited(nil): Self.rateLimitedText
        case .rateLimited(let seconds?): "\(Self.rateLimitedText): retry after \(Self.seconds(seconds)) s"
        case .interrupted(let why): "\(Self.interruptedText): \(why)"
        }
    }

    private static let rateLimitedText = "rate limited"
    private static let interruptedText = "interrupted"

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.3f", value)
    }

    package init(_ text: String) {
        if text == TaskError.cancelled.description {
            self = .cancelled
        } else if text == Self.rateLimitedText {
            self = .rateLimited(retryAfter: nil)
        } else if text.hasPrefix(Self.rateLimitedText + ": retry after "), text.hasSuffix(" s"),
                  let seconds = Double(text.dropFirst(Self.rateLimitedText.count + 14).dropLast(2)) {
            self = .rateLimited(retryAfter: seconds)
        } else if text.hasPrefix(Self.interruptedText + ": ") {
            self = .interrupted(String(text.dropFirst(Self.interruptedText.count + 2)))
        } else {
            self = .failed(text)
        }
    }

    /// Whether the attempt runs again without counting against the stage's `retries`.
    package var isWait: Bool {
        switch self {
        case .rateLimited, .interrupted: true
        case .cancelled, .failed: false
        }
    }

    package init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
