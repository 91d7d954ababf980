

/// A plan that cannot run: every problem found, in file order.
package struct PlanError: Error, Sendable, CustomStringConvertible {
    package var diagnostics: [PlanDiagnostic]

    package init(_ diagnostics: [PlanDiagnostic]) {
        self.diagnostics = diagnostics.sorted {
            ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column)
        }
    }

    package init(_ location: SourceLocation, _ message: String) {
        self.init([PlanDiagnostic(location, message)])
    }

    /// One `FILE:LINE:COL: message` line per problem.
    package var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
