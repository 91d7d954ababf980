import Foundation
import SwellClient
import Logging
import ServiceLifecycle
import SwellSecurity
import SwellZMQ

/// Runs a daemon of Swell: the service `build` makes over this process's ZeroMQ I/O thread, in a
/// service group that stops it gracefully on SIGTERM and SIGINT.
enum DaemonRunner {
    /// Returns the process's exit status: 0 when the service stopped on a signal; 2 when `build`
    /// refused a key (`KeyError`, said on stderr as `NAME: problem`); 1 when the service could
    /// not be built or stopped on an error (logged).
    static func run(_ name: String, logger: Logger, build: (ZMQIOThread) throws -> any Service) async -> Int32 {
        let io: ZMQIOThread
        do {
            io = try ZMQIOThread(context: ZMQContext(), name: "swell-zmq")
        } catch {
            logger.critical("cannot start ZeroMQ: \(error)")
            return 1
        }
        var status: Int32 = 0
        do {
            let service = try build(io)
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            do {
                try await group.run()
            } catch {
                logger.critical("stopped: \(error)")
                status = 1
            }
        } catch let error as KeyError {
            StandardStreams.err("\(name): \(error)\n")
            status = 2
        } catch {
            logger.critical("\(error)")
            status = 1
        }
        await io.shutdown()
        return status
    }
}
