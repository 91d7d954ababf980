import Foundation

/// What `/proc/PID/stat` says of a process on this host: its state, and when it started (clock
/// ticks after boot). With the start, a process id names one process: once that process has
/// ended, the system may give its id to another, which started later.
package struct ProcessStart: Sendable, Equatable {
    /// The state letter: `R`, `S`, `D`, `T`, ..., `Z` for a process that has ended and has not
    /// been waited for yet, `X` for one that is going.
    package var state: Character
    package var startTicks: UInt64

    /// Whether the process has ended (a zombie still has its id, but runs nothing).
    package var hasEnded: Bool { state == "Z" || state == "X" }

    /// The process `pid` as `/proc` shows it; nil if there is no such process, or no `/proc`.
    package static func of(_ pid: Int32) -> ProcessStart? {
        guard pid > 0 else { return nil }
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return parse(buffer[..<count])
    }

    /// This process.
    package static var current: ProcessStart? { of(getpid()) }

    /// Reads `PID (COMM) STATE PPID ...`: the command name may hold spaces and parentheses, so
    /// the fields are counted from the last `)`; the start time is the 22nd field.
    package static func parse<Bytes: BidirectionalCollection<UInt8>>(_ bytes: Bytes) -> ProcessStart? {
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = bytes[bytes.index(after: close)...].split(separator: UInt8(ascii: " "))
        // After the name: state (field 3) ... starttime (field 22).
        guard fields.count >= 20, fields[0].count == 1, let letter = fields[0].first,
              let ticks = UInt64(String(decoding: fields[19], as: UTF8.self)) else { return nil }
        return ProcessStart(state: Character(UnicodeScalar(letter)), startTicks: ticks)
    }
}
