

/// One problem in a plan, where it is and what to do about it.
package struct PlanDiagnostic: Sendable, Hashable, CustomStringConvertible {
    package var location: SourceLocation
    package var message: String

    package init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    /// `FILE:LINE:COL: message`
    package var description: String { "\(location): \(message)" }
}
