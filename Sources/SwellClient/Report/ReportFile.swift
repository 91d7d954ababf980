import Foundation
import SwellCore
#if canImport(Glibc)
import Glibc
#endif

/// Where `swell report -o FILE` writes: into the file named, as a shell redirection would (a
/// symlink is followed, a device or FIFO written to, an existing file keeps its mode and links),
/// never over the journal.
enum ReportFile {
    /// The file `-o` names: `swell-report-RUN.html` here without it, and in the folder it names
    /// when that is one, as `cp` puts a file into a folder. A name that ends in `/`, `/.` or
    /// `/..` names a folder, and is refused when it is no folder (before, `FILE/.` wrote over
    /// FILE, and `NEW/.` made a file NEW).
    static func path(_ output: String?, run: String) throws -> String {
        let file = "swell-report-\(run).html"
        guard let output else { return file }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: output, isDirectory: &isFolder), isFolder.boolValue {
            return output.hasSuffix("/") ? output + file : output + "/" + file
        }
        let last = output.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        if output.hasSuffix("/") || last == "." || last == ".." {
            throw ClientError(.usage, "cannot write the report to \(TerminalText.visible(output)): \(notAFolder(output)); make the folder first, or name a file")
        }
        return output
    }

    /// Why `output`, a name that ends in `/`, `/.` or `/..`, is no folder to write into: from `stat`'s errno,
    /// so that a loop of symbolic links or a folder that cannot be searched says so.
    static func notAFolder(_ output: String) -> String {
        var info = stat()
        if stat(output, &info) == 0 { return "it is not a folder" }
        switch errno {
        case ENOENT: return "there is no such folder"
        case ENOTDIR:
            var named = String(output.reversed().drop { $0 == "/" }.reversed())
            for dots in ["/..", "/."] where named.hasSuffix(dots) { named.removeLast(dots.count) }
            var own = stat()
            return stat(named, &own) == 0 ? "it is a file, not a folder" : "a part of it is a file, not a folder"
        case ELOOP: return "it is a loop of symbolic links"
        default: return String(cString: strerror(errno))
        }
    }

    /// Writes `data` to `path`. Refuses a path in the journal folder `stateDirectory` and an
    /// existing SQLite database; any other failure says why.
    static func write(_ data: Data, to path: String, stateDirectory: String) throws {
        // Where the bytes land: through symbolic links, a dangling one included.
        let target = resolved(path)
        if let state = realpath(stateDirectory), let target,
           target == state || target.hasPrefix(state.hasSuffix("/") ? state : state + "/") {
            throw ClientError(.usage, "refusing to write the report to \(path): it is in the journal folder \(stateDirectory); write it elsewhere")
        }
        if isDatabase(path) {
            throw ClientError(.usage, "refusing to write the report to \(path): it is an SQLite database (a journal?); write it elsewhere")
        }
        // Made here, the file goes again if the report cannot be written whole (a full disk, a
        // file size limit); one that was there is left with what could be written.
        let opened = target ?? path
        var fd = open(opened, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        let made = fd >= 0
        if !made, errno == EEXIST { fd = open(opened, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        guard fd >= 0 else { throw failure(path) }
        var info = stat()
        let regular = fstat(fd, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
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
            let error = failure(path, made ? "; the file was removed"
                : regular ? "; it holds the first \(written) of the report's \(data.count) bytes" : "")
            if !ok { close(fd) }
            if made { unlink(opened) }
            throw error
        }
    }

    /// What went wrong, from errno, then `after`.
    private static func failure(_ path: String, _ after: String = "") -> ClientError {
        ClientError(.failed, "cannot write the report to \(path): \(String(cString: strerror(errno)))\(after)")
    }

    private static func realpath(_ path: String) -> String? {
        guard let resolved = Glibc.realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The absolute path `path` names: the file itself if it exists; else, through the symbolic
    /// links it is (one whose target is missing included), the missing file's folder resolved
    /// and its name.
    private static func resolved(_ path: String) -> String? {
        var current = path
        for _ in 0..<40 {
            if let whole = realpath(current) { return whole }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(current, &buffer, buffer.count - 1)
            let url = URL(fileURLWithPath: current)
            guard count > 0 else {
                guard let folder = realpath(url.deletingLastPathComponent().path) else { return nil }
                return (folder == "/" ? "" : folder) + "/" + url.lastPathComponent
            }
            let link = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = link.hasPrefix("/") ? link : url.deletingLastPathComponent().path + "/" + link
        }
        return nil
    }

    /// Whether `path` is a regular file that starts as an SQLite database does. Opened without
    /// blocking: opening a FIFO for reading waits for a writer, and `-o FIFO` is one.
    private static func isDatabase(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        var header = [UInt8](repeating: 0, count: 16)
        return read(fd, &header, 16) == 16 && header == Array("SQLite format 3\u{0}".utf8)
    }
}
