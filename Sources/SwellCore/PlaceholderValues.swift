

/// The values placeholders stand for in one task's commands.
package struct PlaceholderValues: Sendable, Hashable {
    package var scope: String
    package var index: Int
    package var stage: String
    package var run: String
    package var vars: [String: String]

    package init(scope: String, index: Int, stage: String, run: String, vars: [String: String]) {
        self.scope = scope
        self.index = index
        self.stage = stage
        self.run = run
        self.vars = vars
    }
}
