/// A position in a plan file. Lines and columns start at 1.
package struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    package var file: String
    package var line: Int
    package var column: Int

    package init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    package var description: String { "\(file):\(line):\(column)" }
}

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
