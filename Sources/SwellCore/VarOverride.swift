/// A plan var set on the command line (`--set NAME=VALUE`); later ones win.
package struct VarOverride: Sendable, Codable, Hashable {
    package var name: String
    package var value: String

    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
