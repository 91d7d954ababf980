/// A position in a plan file. Lines and columns start at 1.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem in a plan, where it is and what to do about it.
public struct PlanDiagnostic: Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    /// `FILE:LINE:COL: message`
    public var description: String { "\(location): \(message)" }
}

/// A plan that cannot run: every problem found, in file order.
public struct PlanError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [PlanDiagnostic]

    public init(_ diagnostics: [PlanDiagnostic]) {
        self.diagnostics = diagnostics.sorted {
            ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column)
        }
    }

    public init(_ location: SourceLocation, _ message: String) {
        self.init([PlanDiagnostic(location, message)])
    }

    /// One `FILE:LINE:COL: message` line per problem.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
