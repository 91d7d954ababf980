/// Waits for `condition` to hold, checking every 10 ms, up to `timeout`; returns whether it held.
/// Tests wait on conditions with a deadline, never for a fixed time.
///
/// Time in which this process did not run (a loaded CI machine can leave the test's tasks
/// unscheduled for seconds, and then what they wait for did not run either) moves the deadline
/// on: a check that wakes later than its 10 ms by more than `stall` adds the lateness, up to a
/// minute in all. Without it, one long stall used up the whole wait, and the one
/// check after it ran before the work it waited for had its turn.
package func eventually(_ timeout: Duration = .seconds(15), stall: Duration = .milliseconds(500),
                        sleep: (Duration) async -> Void = { try? await Task.sleep(for: $0) },
                        _ condition: () async throws -> Bool) async rethrows -> Bool {
    let start = ContinuousClock.now
    let latest = start + timeout + .seconds(60)
    var deadline = start + timeout
    let step = Duration.milliseconds(10)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        let asleep = ContinuousClock.now
        await sleep(step)
        let late = ContinuousClock.now - asleep - step
        if late > stall { deadline = min(deadline + late, latest) }
    }
    return try await condition()
}
