import CStartup
package import Foundation

/// stdout and stderr, written without trapping when their reader has gone.
///
/// Swell ignores SIGPIPE (a task that exits without reading its stdin must not end the node), so
/// a write to a closed pipe fails with EPIPE instead; Foundation's `FileHandle.write` traps on that.
package enum StandardStreams {
    /// How a write to stdout went.
    package enum Written: Equatable, Sendable {
        case written
        /// The reader has gone (EPIPE): `swell logs RUN | head`.
        case readerGone
        /// Another error (a full disk, a file size limit, an I/O error), as `strerror` says it.
        case failed(String)
    }

    /// Writes `data` to stdout. When the reader has gone (`swell logs RUN | head`), the process
    /// ends at once with status 141, as one ended by SIGPIPE does, and says nothing; on another
    /// error (a full disk) it says why and ends with status 1.
    package static func out(_ data: Data) {
        switch tryOut(data) {
        case .written: return
        case .readerGone: exit(141)
        case .failed(let reason):
            err("swell: cannot write to stdout: \(reason)\n")
            exit(1)
        }
    }

    /// Whether stdout was closed when the process started (`swell ... >&-`). It is /dev/null
    /// since, and a write to it fails as one to a closed stdout would, saying so.
    package static let stdoutWasClosed = swell_closed_standard_streams() & (1 << STDOUT_FILENO) != 0

    /// Writes `data` to stdout, and says how that went.
    package static func tryOut(_ data: Data) -> Written {
        if stdoutWasClosed && !data.isEmpty { return .failed("it was closed when swell started") }
        return switch write(data, to: STDOUT_FILENO) {
        case 0: .written
        case EPIPE: .readerGone
        case let error: .failed(String(cString: strerror(error)))
        }
    }

    /// Writes `text` to stderr; a closed stderr is ignored.
    package static func err(_ text: String) {
        _ = write(Data(text.utf8), to: STDERR_FILENO)
    }

    /// Writes every byte of `data`; 0, or the errno of the write that failed.
    package static func write(_ data: Data, to descriptor: Int32) -> Int32 {
        data.withUnsafeBytes { raw in
            guard var next = raw.baseAddress else { return 0 }
            var left = raw.count
            while left > 0 {
                let written = Foundation.write(descriptor, next, left)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                next += written
                left -= written
            }
            return 0
        }
    }
}
