import Foundation

/// This process's open-file limit, and how to raise it where Swell runs.
package enum OpenFileLimit {
    /// The soft limit (`ulimit -n`), nil when there is none or it cannot be read.
    package static func current() -> Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return Int(clamping: limit.rlim_cur)
    }

    /// Whether this process can open no more files now: a descriptor for /dev/null cannot be had
    /// (EMFILE, or ENFILE for the whole system).
    package static func isReached() -> Bool {
        let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard fd < 0 else {
            close(fd)
            return false
        }
        return errno == EMFILE || errno == ENFILE
    }

    /// Where the limit is raised, for the messages that ask for it.
    package static let howToRaise = "LimitNOFILE= in a systemd unit, --ulimit nofile=N:N for a container, ulimit -Hn N as root"
}
