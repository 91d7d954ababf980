package import ArgumentParser
import Foundation
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
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// Log levels as an option value.
package enum LogLevelOption: String, ExpressibleByArgument, CaseIterable, Sendable {
    case trace, debug, info, notice, warning, error, critical

    var level: Logger.Level { Logger.Level(rawValue: rawValue) ?? .info }
}

enum Logs {
    /// Logs go to stderr; the level comes from the option, else `SWELL_LOG_LEVEL`, else `fallback`.
    static func bootstrap(_ option: LogLevelOption?, fallback: Logger.Level, label: String) -> Logger {
        let level = option?.level
            ?? ProcessInfo.processInfo.environment["SWELL_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
            ?? fallback
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}
