package import ArgumentParser
import Foundation
import SwellClient
import Logging

/// Runs a command tree with Swell's exit statuses: usage errors exit 2 (not 64), help exits 0.
package enum CommandMain {
    package static func run(_ root: any ParsableCommand.Type, arguments: [String]? = nil) async -> Never {
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try root.parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
            exit(0)
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            let code = root.exitCode(for: error)
            let message = root.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                exit(0)
            }
            if !message.isEmpty { StandardStreams.err(message + "\n") }
            exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}
