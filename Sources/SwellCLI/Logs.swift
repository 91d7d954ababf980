import Foundation
import Logging

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
