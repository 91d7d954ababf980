import Foundation

/// The journal's folders: made if missing (with any missing parents, each private to the user,
/// mode 0700), and checked to be folders.
enum PrivateFolder {
    static func make(_ path: String) throws(OutputFileError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o700) != 0, errno != EEXIST {
                throw OutputFileError(path: prefix, doing: "make the folder", errno: errno)
            }
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw OutputFileError(path: path, doing: "use", errno: errno) }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw OutputFileError(path: path, doing: "use", errno: ENOTDIR, detail: "it is a file, not a folder")
        }
    }
}
