package import Foundation

/// Appends bytes to a file private to the user (created mode 0600): the journal's run output
/// files and a node's fetched inputs.
package enum AppendFile {
    /// Appends each of `chunks` to the file at `path`, creating it; returns where each starts.
    /// Throws the errno of the call that failed, with which call it was; the file is then cut
    /// back to what it was (a full disk keeps no partial output).
    package static func append(_ chunks: [Data], to path: String) throws(AppendFileError) -> [Int64] {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AppendFileError(path: path, call: "open", errno: errno) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw AppendFileError(path: path, call: "stat", errno: errno) }
        // Bytes a crashed writer left at the end stay there, unreferenced.
        var offset = Int64(status.st_size)
        var offsets: [Int64] = []
        offsets.reserveCapacity(chunks.count)
        for chunk in chunks {
            offsets.append(offset)
            let failed: Int32? = chunk.withUnsafeBytes { bytes in
                var done = 0
                while done < bytes.count {
                    let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
                    if n < 0, errno == EINTR { continue }
                    guard n > 0 else { return n < 0 ? errno : ENOSPC }
                    done += n
                }
                return nil
            }
            if let failed {
                _ = ftruncate(fd, status.st_size)
                throw AppendFileError(path: path, call: "write", errno: failed)
            }
            offset += Int64(chunk.count)
        }
        return offsets
    }
}

/// A file could not be appended to.
package struct AppendFileError: Error, CustomStringConvertible, Sendable {
    package var path: String
    package var call: String
    package var errno: Int32

    package var description: String { "cannot \(call) \(path): \(String(cString: strerror(errno)))" }
}
