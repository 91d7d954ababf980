import Foundation

/// Where journals live by default: `$XDG_STATE_HOME/swell`, else `~/.local/state/swell`.
package enum StateDirectory {
    package static var `default`: String {
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") { return xdg + "/swell" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/state/swell"
    }
}
