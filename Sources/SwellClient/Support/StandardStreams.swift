package import Foundation

/// stdout and stderr, written without trapping when their reader has gone.
///
/// Swell ignores SIGPIPE (a task that exits without reading its stdin must not end the node), so
/// a write to a closed pipe fails with EPIPE instead; Foundation's `FileHandle.write` traps on that.
package enum StandardStreams {
    /// Writes `data` to stdout. When the reader has gone (`swell logs RUN | head`), the process
    /// ends at once with status 141, as one ended by SIGPIPE does, and says nothing.
    package static func out(_ data: Data) {
        if !write(data, to: STDOUT_FILENO) { exit(141) }
    }

    /// Writes `data` to stdout; false when the reader has gone (or another write error).
    package static func tryOut(_ data: Data) -> Bool {
        write(data, to: STDOUT_FILENO)
    }

    /// Writes `text` to stderr; a closed stderr is ignored.
    package static func err(_ text: String) {
        _ = write(Data(text.utf8), to: STDERR_FILENO)
    }

    /// Whether every byte was written (false: the pipe is closed, or another write error).
    private static func write(_ data: Data, to descriptor: Int32) -> Bool {
        data.withUnsafeBytes { raw in
            guard var next = raw.baseAddress else { return true }
            var left = raw.count
            while left > 0 {
                let written = Foundation.write(descriptor, next, left)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                next += written
                left -= written
            }
            return true
        }
    }
}
