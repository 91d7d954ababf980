import Foundation

/// A run's output file could not be written or read.
package struct OutputFileError: Error, CustomStringConvertible, Sendable {
    package var path: String
    package var doing: String
    package var errno: Int32
    package var detail: String?

    init(path: String, doing: String, errno: Int32, detail: String? = nil) {
        self.path = path
        self.doing = doing
        self.errno = errno
        self.detail = detail
    }

    package var description: String {
        let why = detail ?? String(cString: strerror(errno))
        return "cannot \(doing) \(path): \(why)"
    }
}
