import Foundation

/// The journal could not be opened or brought up to this version's tables.
package struct JournalOpenError: Error, CustomStringConvertible, Sendable {
    package var path: String
    package var reason: String
    /// SQLite's primary result code, when SQLite said why.
    package var code: Int32?

    package init(path: String, reason: String, code: Int32? = nil) {
        self.path = path
        self.reason = reason
        self.code = code
    }

    package var description: String {
        "cannot open the journal \(path): \(reason) (\(advice))"
    }

    /// What to do about it: a journal that cannot be read as one is moved aside; one that
    /// cannot be opened or written for want of permission or space keeps its runs.
    var advice: String {
        switch code {
        case 3, 8, 14, 23:  // SQLITE_PERM, SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_AUTH
            "this user must be able to read and write the folder and its journal files; the journal is kept as it is"
        case 13:  // SQLITE_FULL
            "the disk is full: free some space; the journal is kept as it is"
        case 10:  // SQLITE_IOERR
            if let limit = Self.fileSizeLimit(), limit <= Self.size(of: path) + 64 << 20 {
                // A write past `ulimit -f` fails as an I/O error (EFBIG) in SQLite's eyes; a limit
                // far above the journal's size is not what stopped it.
                "a file size limit is set (ulimit -f: \(limit) bytes), and the journal's files must grow past it: "
                    + "raise or lift it; the journal is kept as it is"
            } else {
                "the disk could not be read or written; the journal is kept as it is"
            }
        case 5, 6:  // SQLITE_BUSY, SQLITE_LOCKED
            "another process holds it locked; try again once it is done"
        default:
            "move it aside to start with an empty one"
        }
    }

    /// The bytes of the file at `path`, 0 if there is none.
    static func size(of path: String) -> UInt64 {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(max(0, info.st_size)) : 0
    }

    /// This process's file size limit in bytes (`ulimit -f`), if it has one.
    static func fileSizeLimit() -> UInt64? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return UInt64(limit.rlim_cur)
    }
}
