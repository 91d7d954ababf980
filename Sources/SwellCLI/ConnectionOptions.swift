import ArgumentParser
import Foundation
import SwellClient
import SwellSecurity
import SwellZMQ

/// How the client commands reach a coordinator: `--key` and `--coordinator-key` for one that
/// admits by key, and `--connect-timeout`.
struct ConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("This client's secret key (from swell keygen); default: $SWELL_KEY.", valueName: "file"))
    var key: String?

    @Option(help: ArgumentHelp("The coordinator's public key, 40 Z85 characters or its .pub file; default: $SWELL_COORDINATOR_KEY.", valueName: "key"))
    var coordinatorKey: String?

    @Option(help: ArgumentHelp("How long to wait for the coordinator to answer at first \(DurationOption.unitHelp)", valueName: "duration"))
    var connectTimeout = DurationOption(.seconds(5))

    /// The CURVE settings, or nil without keys. Throws `ExitCode(2)` with a message on a bad key.
    func curve() throws -> ZMQSocketConfiguration.Curve? {
        let environment = ProcessInfo.processInfo.environment
        let key = self.key ?? environment["SWELL_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        let coordinatorKey = self.coordinatorKey ?? environment["SWELL_COORDINATOR_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        guard key != nil || coordinatorKey != nil else { return nil }
        do {
            guard let key, let coordinatorKey else {
                throw KeyError("--key and --coordinator-key go together: this client's secret key, and the coordinator's public key")
            }
            return try KeyFiles.connectingCurve(secretKeyFile: key, coordinatorKey: coordinatorKey)
        } catch {
            StandardStreams.err("swell: \(error)\n")
            throw ExitCode(2)
        }
    }
}
