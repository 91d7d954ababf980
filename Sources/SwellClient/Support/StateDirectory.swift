import Foundation
import SwellCore
import SwellJournal

/// Where journals live by default: `$XDG_STATE_HOME/swell`, else `~/.local/state/swell`.
package enum StateDirectory {
    package static var `default`: String {
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") { return xdg + "/swell" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/state/swell"
    }

    /// ` --state DIR` (absolute, quoted for a shell) for a command that suggests another one
    /// on the same journal; nothing for the default folder.
    package static func option(_ directory: String) -> String {
        let absolute = URL(fileURLWithPath: directory).standardizedFileURL.path
        guard absolute != URL(fileURLWithPath: Self.default).standardizedFileURL.path else { return "" }
        return " --state " + ShellQuote.quote(absolute)
    }

    /// The journal in `directory` for a command that reads one: a usage error, `no journal at
    /// PATH` and `hint`, when there is none (such a command never makes one).
    static func existingJournal(_ directory: String, hint: String = "") throws -> Journal {
        let path = directory + "/journal.sqlite"
        guard FileManager.default.fileExists(atPath: path) else { throw ClientError(.usage, "no journal at \(path)\(hint)") }
        return try Journal(directory: directory)
    }
}
