import ArgumentParser
import SwellCore
import SwellPlan

/// `--limit NAME=CONCURRENT[,STARTS/min]`: a named limit shared by every run on the coordinator.
struct LimitOption: ExpressibleByArgument, Sendable {
    var name: String
    var rule: LimitRule

    init?(argument: String) {
        guard let equals = argument.firstIndex(of: "=") else { return nil }
        let name = String(argument[..<equals])
        guard Plan.isValidName(name),
              let rule = LimitRule(parsing: String(argument[argument.index(after: equals)...])) else { return nil }
        self.name = name
        self.rule = rule
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
