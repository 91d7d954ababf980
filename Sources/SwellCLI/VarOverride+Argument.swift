package import ArgumentParser
package import SwellCore

/// `--set NAME=VALUE`: split at the first `=`.
extension VarOverride: ExpressibleByArgument {
    package init?(argument: String) {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else { return nil }
        self.init(name: String(argument[..<equals]), value: String(argument[argument.index(after: equals)...]))
    }

    package static var defaultCompletionKind: CompletionKind { .default }
}
