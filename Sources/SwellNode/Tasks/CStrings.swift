/// NULL-terminated arrays of C strings, as `posix_spawn` takes its arguments and environment.
enum CStrings {
    /// `strings` as `char *const argv[]`, valid during `body`.
    static func with<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        withEntries(strings.map { Array($0.utf8) + [0] }, body)
    }

    /// `entries` (each already ending with a NUL) as `char *const envp[]`, valid during `body`.
    static func withEnvironment<R>(_ entries: [[UInt8]], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        withEntries(entries, body)
    }

    private static func withEntries<R>(_ entries: [[UInt8]], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        // One buffer for all the bytes, and the pointers into it.
        let total = entries.reduce(0) { $0 + $1.count }
        let bytes = UnsafeMutablePointer<CChar>.allocate(capacity: max(total, 1))
        defer { bytes.deallocate() }
        let pointers = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: entries.count + 1)
        defer { pointers.deallocate() }
        var offset = 0
        for (i, entry) in entries.enumerated() {
            entry.withUnsafeBytes { raw in
                UnsafeMutableRawPointer(bytes + offset).copyMemory(from: raw.baseAddress!, byteCount: raw.count)
            }
            pointers[i] = bytes + offset
            offset += entry.count
        }
        pointers[entries.count] = nil
        return body(pointers)
    }
}
