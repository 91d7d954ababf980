import Foundation

/// An exclusive lock on a state directory (`coordinator.lock`), held while the coordinator runs.
final class StateLock: Sendable {
    let fd: Int32

    init(directory: String) throws {
        let path = directory + "/coordinator.lock"
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StateLockError(message: "cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw StateLockError(message: "another swell-coordinator is using the state directory \(directory); give each coordinator a --state of its own")
        }
        self.fd = fd
    }

    deinit { close(fd) }
}
