extension Duration {
    /// The duration in whole milliseconds, rounded toward zero: how the protocol carries
    /// durations (`timeoutMilliseconds`, `heartbeatMilliseconds`).
    package var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1_000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    /// The duration in seconds, for messages and arithmetic with wall-clock times.
    package var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
