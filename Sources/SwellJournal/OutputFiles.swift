import Foundation
import SwellCore

/// Large task outputs, kept beside the journal: one append-only file per run
/// (`outputs/RUN` under the state directory), each output written once, by one `write`.
///
/// In SQLite a blob is cut into pages that are written to the write-ahead log and again into
/// the database when the log is checkpointed, so an output of a MiB cost the coordinator more
/// than its task did. The report's row says where its output is (`stdoutAt`, `stdoutLength`);
/// outputs under ``threshold`` stay in the row. A run's file has one writer: the coordinator
/// (or the embedded `swell run`) that holds the run.
struct OutputFiles: Sendable {
    /// Outputs of at least this many bytes go to the run's file.
    static let threshold = 64 << 10

    let directory: String

    /// Creates `directory` (private to the user, as the journal's is) if needed.
    init(directory: String) throws {
        self.directory = directory
        try PrivateFolder.make(directory)
    }

    /// Appends each of `outputs` to `run`'s file, in order; returns where each starts. Bytes a
    /// crashed writer left after the last committed output stay there, unreferenced.
    func append(_ outputs: [Data], run: String) throws -> [Int64] {
        let path = try self.path(run)
        do {
            return try AppendFile.append(outputs, to: path)
        } catch {
            throw OutputFileError(path: path, doing: error.call, errno: error.errno)
        }
    }

    /// Cuts `run`'s file back to `length` bytes: what a batch that did not commit had appended.
    func cut(run: String, to length: Int64) {
        guard let path = try? self.path(run) else { return }
        _ = truncate(path, off_t(length))
    }

    /// The `length` bytes of `run`'s file from `offset`.
    func read(run: String, at offset: Int64, length: Int) throws -> Data {
        let path = try self.path(run)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw OutputFileError(path: path, doing: "open", errno: errno) }
        defer { close(fd) }
        var data = Data(count: length)
        let got = try data.withUnsafeMutableBytes { bytes in
            var done = 0
            while done < length {
                let n = pread(fd, bytes.baseAddress! + done, length - done, off_t(offset) + off_t(done))
                if n < 0, errno == EINTR { continue }
                guard n >= 0 else { throw OutputFileError(path: path, doing: "read", errno: errno) }
                if n == 0 { break }
                done += n
            }
            return done
        }
        guard got == length else {
            throw OutputFileError(path: path, doing: "read", errno: 0,
                                  detail: "it ends \(length - got) bytes short of an output the journal records (lost with the disk's last writes?)")
        }
        return data
    }

    /// `directory/RUN`. Run ids are made by coordinators (`YYYYMMDD-HHMMSS-XXXX`); anything
    /// that could leave the directory is refused.
    /// Removes `run`'s file, if it has one.
    func remove(run: String) {
        guard let path = try? self.path(run) else { return }
        _ = unlink(path)
    }

    func path(_ run: String) throws -> String {
        guard !run.isEmpty, !run.hasPrefix("."), !run.contains("/"), !run.utf8.contains(0) else {
            throw OutputFileError(path: directory, doing: "name a file for run \(run.debugDescription) in", errno: 0,
                                  detail: "that is not a run id")
        }
        return directory + "/" + run
    }
}
