import Foundation
package import SwellZMQ

/// `NAME.key` (the secret key, mode 0600) and `NAME.pub` (the public key): one Z85 key per
/// file, 40 characters, with `#` comment lines.
package enum KeyFiles {
    /// Writes a new pair; refuses to replace an existing `NAME.key` or `NAME.pub` (a symbolic
    /// link to nowhere counts) unless `force`. `replaced`: whether either was there before.
    ///
    /// Both files are written beside their names first and renamed into place only once both
    /// are whole, so that a pair that cannot be written (a folder in the way, a full disk, a
    /// file size limit) leaves what was there as it was, and no file of its own.
    @discardableResult
    package static func generate(name: String, force: Bool)
        throws -> (keyFile: String, publicFile: String, publicKey: String, replaced: Bool) {
        let keyFile = name + ".key", publicFile = name + ".pub"
        let base = (name as NSString).lastPathComponent
        guard !base.isEmpty, !name.hasSuffix("/") else {
            throw KeyError("'\(name)' names no pair: give a name, as in `swell keygen node1` or `swell keygen keys/node1`")
        }
        var info = stat()
        let keyThere = lstat(keyFile, &info) == 0, keyIsFolder = keyThere && info.st_mode & S_IFMT == S_IFDIR
        let publicThere = lstat(publicFile, &info) == 0, publicIsFolder = publicThere && info.st_mode & S_IFMT == S_IFDIR
        if keyIsFolder || publicIsFolder { throw KeyError("cannot write \(keyIsFolder ? keyFile : publicFile): it is a folder") }
        if !force, keyThere || publicThere {
            throw KeyError("\(keyThere ? keyFile : publicFile) exists; pass --force to replace it (anything that uses the old key will no longer be admitted)")
        }
        let directory = (keyFile as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            throw KeyError("no folder \(directory) for \(keyFile)")
        }
        let pair = try ZMQCurve.generateKeyPair()
        let keyNew = keyFile + ".new-\(getpid())", publicNew = publicFile + ".new-\(getpid())"
        do {
            try write(keyNew, "# swell secret key of \(base) (CurveZMQ, Z85). Keep it private: it admits whoever holds it.\n\(pair.secretKey)\n",
                      mode: 0o600, named: keyFile)
            try write(publicNew, "# swell public key of \(base) (CurveZMQ, Z85)\n\(pair.publicKey)\n", mode: 0o644, named: publicFile)
            guard rename(publicNew, publicFile) == 0 else { throw KeyError("cannot write \(publicFile): \(String(cString: strerror(errno)))") }
            guard rename(keyNew, keyFile) == 0 else { throw KeyError("cannot write \(keyFile): \(String(cString: strerror(errno)))") }
        } catch {
            unlink(keyNew)
            unlink(publicNew)
            throw error
        }
        return (keyFile, publicFile, pair.publicKey, keyThere || publicThere)
    }

    /// Removes the files of a pair this process made (when it could not be handed over whole).
    package static func remove(_ keyFile: String, _ publicFile: String) {
        unlink(keyFile)
        unlink(publicFile)
    }

    /// Writes `text` to a new file at `path`; errors name the file it is for, `named`.
    private static func write(_ path: String, _ text: String, mode: mode_t, named: String) throws {
        // Created with its final mode, so that a secret is never readable by others, not even briefly.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw KeyError("cannot write \(named): \(String(cString: strerror(errno)))") }
        var closed = false
        defer { if !closed { close(fd) } }
        guard fchmod(fd, mode) == 0 else { throw KeyError("cannot set the mode of \(named): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Foundation.write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw KeyError("cannot write \(named): \(errno == 0 ? "short write" : String(cString: strerror(errno)))")
        }
        closed = true
        guard close(fd) == 0 else { throw KeyError("cannot write \(named): \(String(cString: strerror(errno)))") }
    }

    /// Reads a secret key file; refuses one that others can read or write.
    package static func readSecret(_ path: String) throws -> KeyPair {
        var info = stat()
        guard stat(path, &info) == 0 else { throw KeyError("cannot read the key file \(path): \(String(cString: strerror(errno)))") }
        // Read once; what it says of the file comes after the mode, which matters more.
        let contents = Result { try read(path, what: "secret key") }
        // Any 32 bytes make a secret key: a public key file given by mistake must be told apart
        // by what `swell keygen` wrote in it.
        if case .success(let data) = contents,
           String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).contains(where: { $0.hasPrefix("# swell public key") }) {
            let secret = path.hasSuffix(".pub") ? String(path.dropLast(4)) + ".key" : "NAME.key"
            throw KeyError("\(path) is a public key file; --key takes the secret key file (\(secret))")
        }
        // Owned by root, a key may also be readable by its group: that is how a service's user is
        // handed a key it must not change (root:swell 0640 on a systemd host; a Kubernetes Secret
        // volume with an fsGroup is root-owned 0440).
        let mode = info.st_mode & 0o777
        let handedToGroup = info.st_uid == 0 && mode & 0o037 == 0
        if mode & 0o077 != 0 && !handedToGroup {
            throw KeyError("the key file \(path) is open to others (mode \(String(mode, radix: 8))): chmod 600 \(path)"
                + (info.st_uid == 0 ? " (or 640: owned by root, its group may read it)" : ""))
        }
        let secret = try key(in: contents.get(), of: path, what: "secret key")
        guard let publicKey = ZMQCurve.publicKey(forSecret: secret) else { throw KeyError("\(path) does not hold a CurveZMQ secret key") }
        return KeyPair(publicKey: publicKey, secretKey: secret)
    }

    /// The CURVE settings of a peer that connects to a coordinator (a node or a client): its own
    /// secret key file, and the coordinator's public key (see ``publicKey(_:)``).
    package static func connectingCurve(secretKeyFile: String, coordinatorKey: String) throws -> ZMQSocketConfiguration.Curve {
        let pair = try readSecret(secretKeyFile)
        return .client(publicKey: pair.publicKey, secretKey: pair.secretKey, serverKey: try publicKey(coordinatorKey))
    }

    /// A public key given as 40 Z85 characters, or as the path of a `.pub` file.
    /// A file that exists is read first: '/' and '.' are Z85 characters, so a path of 40
    /// characters (`/tmp/tmp.0oH8a6aHgu/keys/coordinator.pub`) would pass for a key.
    package static func publicKey(_ argument: String) throws -> String {
        if FileManager.default.fileExists(atPath: argument) {
            return try key(in: read(argument, what: "public key"), of: argument, what: "public key")
        }
        guard ZMQCurve.isKey(argument) else {
            throw KeyError("'\(argument)' is neither a 40-character Z85 public key nor a .pub file")
        }
        return argument
    }

    /// A key file's bytes (4 KiB at most), read once; an error says why it cannot be read.
    static func read(_ path: String, what: String) throws -> Data {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            // Most often a key handed to a service (a container's uid 10001) that its user cannot read.
            let hint = errno == EACCES ? " (this process runs as uid \(getuid()), gid \(getgid()): the file must be readable by it)" : ""
            throw KeyError("cannot read the \(what) file \(path): \(reason)\(hint)")
        }
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4_097)
        while data.count <= 4_096 {
            let count = Foundation.read(fd, &buffer, buffer.count - data.count)
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw KeyError("cannot read the \(what) file \(path): \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            data.append(contentsOf: buffer[..<count])
        }
        guard data.count <= 4_096 else { throw KeyError("cannot read \(path), or it is too large to be a key file") }
        return data
    }

    /// The one key a key file holds.
    static func key(in data: Data, of path: String, what: String) throws -> String {
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard lines.count == 1, ZMQCurve.isKey(lines[0]) else {
            throw KeyError("\(path) does not hold one \(what): expected one line of 40 Z85 characters")
        }
        return lines[0]
    }
}
