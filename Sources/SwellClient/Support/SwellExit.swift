import Foundation
import SwellPlan

/// The exit statuses of the `swell` command.
package enum SwellExit: Int32, Sendable {
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
    /// Told to stop (SIGTERM): an embedded run is cancelled first, as on SIGINT.
    case terminated = 143
    /// stdout was closed by its reader (`swell run plan.yaml | head`), as a process ended by
    /// SIGPIPE reports it.
    case outputClosed = 141
}

extension SwellExit {
    /// Runs a command's body. A thrown error is printed on stderr (plan errors as their
    /// `FILE:LINE:COL` lines, others as `swell: message`) and becomes its exit status.
    static func reporting(_ body: () async throws -> SwellExit) async -> SwellExit {
        do {
            return try await body()
        } catch let error as ClientError {
            StandardStreams.err("swell: \(error.message)\n")
            return error.exit
        } catch let error as PlanError {
            StandardStreams.err(error.description + "\n")
            return .usage
        } catch {
            StandardStreams.err("swell: \(error)\n")
            return .failed
        }
    }
}
