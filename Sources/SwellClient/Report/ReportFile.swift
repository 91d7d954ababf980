import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where `swell report -o FILE` writes: into the file named, as a shell redirection would (a
/// symlink is followed, a device or FIFO written to, an existing file keeps its mode and links),
/// never over the journal.
enum ReportFile {
    /// Writes `data` to `path`. Refuses a path in the journal folder `stateDirectory` and an
    /// existing SQLite database; any other failure says why.
    static func write(_ data: Data, to path: String, stateDirectory: String) throws {
        if let state = realpath(stateDirectory), let target = resolved(path),
           target == state || target.hasPrefix(state.hasSuffix("/") ? state : state + "/") {
            throw ClientError(.usage, "refusing to write the report to \(path): it is in the journal folder \(stateDirectory); write it elsewhere")
        }
        if isDatabase(path) {
            throw ClientError(.usage, "refusing to write the report to \(path): it is an SQLite database (a journal?); write it elsewhere")
        }
        // Made here, the file goes again if the report cannot be written whole (a full disk, a
        // file size limit); one that was there is left with what could be written.
        var fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        let made = fd >= 0
        if !made, errno == EEXIST { fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        guard fd >= 0 else { throw failure(path) }
        var written = 0
        let ok = data.withUnsafeBytes { raw -> Bool in
            while written < raw.count {
                let count = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                written += count
            }
            return true
        }
        if !ok || close(fd) != 0 {
            let error = failure(path, left: made ? nil : written, of: data.count)
            if !ok { close(fd) }
            if made { unlink(path) }
            throw error
        }
    }

    /// What went wrong, with errno; `left`: the bytes a file that was there before now holds.
    private static func failure(_ path: String, left: Int? = nil, of total: Int = 0) -> ClientError {
        let why = String(cString: strerror(errno))
        let after = left.map { "; it holds the first \($0) of the report's \(total) bytes" } ?? ""
        return ClientError(.failed, "cannot write the report to \(path): \(why)\(after)")
    }

    private static func realpath(_ path: String) -> String? {
        guard let resolved = Glibc.realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The absolute path `path` names: the file itself if it exists, else its folder resolved
    /// and its name.
    private static func resolved(_ path: String) -> String? {
        if let whole = realpath(path) { return whole }
        let url = URL(fileURLWithPath: path)
        guard let folder = realpath(url.deletingLastPathComponent().path) else { return nil }
        return (folder == "/" ? "" : folder) + "/" + url.lastPathComponent
    }

    private static func isDatabase(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        var info = stat()
        guard fstat(handle.fileDescriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        return (try? handle.read(upToCount: 16)) == Data("SQLite format 3\u{0}".utf8)
    }
}
