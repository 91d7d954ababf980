package enum OnFailure: String, Sendable, Codable, CaseIterable {
    /// A task that fails after its retries cancels the run's remaining work.
    case stop
    /// The failed report is kept and marked; the run goes on and ends with exit status 1.
    case `continue`
}
