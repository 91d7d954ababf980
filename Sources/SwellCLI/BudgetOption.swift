import ArgumentParser
import SwellCore

/// `--budget cost=5,task-seconds=2h`.
struct BudgetOption: ExpressibleByArgument, Sendable {
    var budget: Budget

    init?(argument: String) {
        guard let budget = Budget(parsing: argument) else { return nil }
        self.budget = budget
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
