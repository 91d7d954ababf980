/// The exit statuses of the `swell` command.
public enum SwellExit: Int32, Sendable {
    /// Everything succeeded.
    case success = 0
    /// The run finished with failed tasks, or was cancelled.
    case failed = 1
    /// Invalid plan or usage.
    case usage = 2
    /// Cannot reach or be admitted by the coordinator.
    case unreachable = 3
    /// Interrupted (SIGINT).
    case interrupted = 130
}

/// An error that ends the command with a message and an exit status.
public struct ClientError: Error, Sendable, CustomStringConvertible {
    public var exit: SwellExit
    public var message: String

    public init(_ exit: SwellExit, _ message: String) {
        self.exit = exit
        self.message = message
    }

    public var description: String { message }
}
