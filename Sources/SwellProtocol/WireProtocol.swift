/// The protocol's name and version, which the first frame of every message carries: `swell/1`.
package enum WireProtocol {
    package static let name = "swell"
    package static let version = 1
    package static let tag = "\(name)/\(version)"
}
