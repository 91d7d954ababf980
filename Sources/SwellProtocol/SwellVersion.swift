/// The software version, reported in HELLO and `--version`.
public enum SwellVersion {
    public static let current = "0.1.0"
}
