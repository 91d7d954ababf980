import ArgumentParser

/// A size option: a number of bytes, or with a unit: `512KiB`, `8MiB`, `1GiB` (K, M, G too).
struct SizeOption: ExpressibleByArgument, Sendable {
    var bytes: Int

    init(bytes: Int) { self.bytes = bytes }

    init?(argument: String) {
        let units: [(String, Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("G", 1 << 30),
                                      ("M", 1 << 20), ("K", 1 << 10), ("B", 1)]
        for (suffix, scale) in units where argument.hasSuffix(suffix) {
            guard let value = Int(argument.dropLast(suffix.count)), value > 0 else { return nil }
            bytes = value * scale
            return
        }
        guard let value = Int(argument), value > 0 else { return nil }
        bytes = value
    }

    var defaultValueDescription: String { bytes % (1 << 20) == 0 ? "\(bytes >> 20)MiB" : "\(bytes)" }
}
