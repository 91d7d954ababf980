/// The software version, reported in HELLO and `--version`.
package enum SwellVersion {
    package static let current = "0.1.0"
}
