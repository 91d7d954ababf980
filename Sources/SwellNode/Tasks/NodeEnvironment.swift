import Foundation

/// The environment of task processes: the node's own, read once, plus each task's variables.
enum NodeEnvironment {
    /// This process's variables as NUL-terminated `KEY=VALUE` entries, with their keys; read
    /// once. Entries holding a NUL of their own cannot be passed and are left out.
    static let inherited: [(key: String, entry: [UInt8])] = ProcessInfo.processInfo.environment.compactMap { key, value in
        entry(key, value).map { (key, $0) }
    }

    static func entry(_ key: String, _ value: String) -> [UInt8]? {
        var bytes = Array("\(key)=\(value)".utf8)
        guard !bytes.contains(0) else { return nil }
        bytes.append(0)
        return bytes
    }

    /// Raw `KEY=VALUE\0` entries: the node's environment with `extra` laid over it. Each entry
    /// ends with a NUL, as the C strings of a child's environment do.
    static func entries(adding extra: [String: String]) -> [[UInt8]] {
        var entries: [[UInt8]] = []
        entries.reserveCapacity(inherited.count + extra.count)
        for (key, entry) in inherited where extra[key] == nil { entries.append(entry) }
        for (key, value) in extra { if let entry = entry(key, value) { entries.append(entry) } }
        return entries
    }
}
