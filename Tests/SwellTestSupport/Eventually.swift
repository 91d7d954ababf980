/// Waits for `condition` to hold, checking every 10 ms, up to `timeout`; returns whether it held.
/// Tests wait on conditions with a deadline, never for a fixed time.
package func eventually(_ timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}
