import Foundation

/// The node could not make the folder it keeps fetched inputs in.
package struct InputDirectoryError: Error, CustomStringConvertible, Sendable {
    var path: String
    var errno: Int32

    package var description: String {
        "cannot make a folder for task inputs at \(path): \(String(cString: strerror(errno))) (set TMPDIR to a writable folder)"
    }
}
