import Foundation

/// This process's open-file limit, and how to raise it where Swell runs.
package enum OpenFileLimit {
    /// The soft limit (`ulimit -n`), nil when there is none or it cannot be read.
    package static func current() -> Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return Int(clamping: limit.rlim_cur)
    }

    /// The files this process holds open now, nil when /proc cannot say.
    package static func held() -> Int? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return nil }
        return max(0, entries.count - 1)  // less the descriptor that read the folder
    }

    /// What a listening process keeps free beside its connections, for a `limit`: the files it
    /// opens as it works (a journal's, a run's output file, /proc for the Swift runtime's thread
    /// pool), and the connections a burst brings in before those past the room are closed (a
    /// burst of a thousand took 52 more at a limit of 200). An eighth of the limit, from 64 to
    /// 1,024.
    package static func reserve(_ limit: Int) -> Int { min(1_024, max(64, limit / 8)) }

    /// How many connections fit beside what this process holds now and its reserve; nil when
    /// there is no limit.
    package static func connectionRoom() -> Int? {
        guard let limit = current() else { return nil }
        return max(1, limit - (held() ?? 32) - reserve(limit))
    }

    /// Where the limit is raised, for the messages that ask for it.
    package static let howToRaise = "LimitNOFILE= in a systemd unit, --ulimit nofile=N:N for a container, ulimit -Hn N as root"
}
