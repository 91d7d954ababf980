package struct StateLockError: Error, CustomStringConvertible, Sendable {
    package var message: String
    package var description: String { message }
}
