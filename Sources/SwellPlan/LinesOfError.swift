package struct LinesOfError: Error, Sendable {
    package var message: String
}
