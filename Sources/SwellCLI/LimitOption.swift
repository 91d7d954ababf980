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
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ Self.isNameCharacter($0) }),
              let rule = LimitRule(parsing: String(argument[argument.index(after: equals)...])) else { return nil }
        self.name = name
        self.rule = rule
    }

    private static func isNameCharacter(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-" || c == "."
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
