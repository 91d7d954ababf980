package import Foundation

/// What a run may spend (a plan's `budget`, `swell run --budget`): task-seconds (the time its
/// task attempts ran, failed ones included) and cost (what its reports say they cost, read by
/// each stage's `cost`). Once either is spent, no new task starts and the run ends
/// `budget-exhausted`; it can be continued with a larger budget.
package struct Budget: Sendable, Hashable, Codable {
    package var taskSeconds: Double?
    package var cost: Double?

    package init(taskSeconds: Double? = nil, cost: Double? = nil) {
        self.taskSeconds = taskSeconds
        self.cost = cost
    }

    package var isEmpty: Bool { taskSeconds == nil && cost == nil }

    /// `cost 5, 3600 task-seconds`.
    package var description: String {
        [cost.map { "cost \(Self.number($0))" }, taskSeconds.map { "\(Self.number($0)) task-seconds" }]
            .compactMap { $0 }.joined(separator: ", ")
    }

    /// This budget with what `other` sets replacing its values.
    package func overridden(by other: Budget?) -> Budget {
        Budget(taskSeconds: other?.taskSeconds ?? taskSeconds, cost: other?.cost ?? cost)
    }

    /// Why `spent` uses the budget up, or nil while it does not.
    package func exhaustion(_ spent: Spending) -> String? {
        if let cost, spent.cost >= cost {
            return "budget exhausted: cost \(Self.number(spent.cost)) of \(Self.number(cost))"
        }
        if let taskSeconds, spent.taskSeconds >= taskSeconds {
            return "budget exhausted: \(Self.number(spent.taskSeconds)) of \(Self.number(taskSeconds)) task-seconds"
        }
        return nil
    }

    /// `cost=5,task-seconds=3600` (either, in any order; `task-seconds` also takes `2h`); nil if it is not one.
    package init?(parsing text: String) {
        var budget = Budget()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard pair.count == 2 else { return nil }
            switch pair[0] {
            case "cost":
                guard budget.cost == nil, let value = Self.decimal(pair[1]), value > 0 else { return nil }
                budget.cost = value
            case "task-seconds":
                guard budget.taskSeconds == nil, let value = Self.seconds(pair[1]) else { return nil }
                budget.taskSeconds = value
            default:
                return nil
            }
        }
        guard !budget.isEmpty else { return nil }
        self = budget
    }

    /// A positive number of seconds, or a duration such as `90m` or `2h`.
    package static func seconds(_ text: String) -> Double? {
        if let value = decimal(text), value > 0 { return value }
        let units: [(String, Double)] = [("s", 1), ("m", 60), ("h", 3_600)]
        for (unit, scale) in units where text.hasSuffix(unit) {
            if let value = decimal(String(text.dropLast(unit.count))), value > 0 { return value * scale }
        }
        return nil
    }

    /// `5`, `2.50`: digits with at most one point between them (no sign, exponent, hex or spaces).
    package static func decimal(_ text: String) -> Double? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        return Double(text).flatMap { $0.isFinite ? $0 : nil }
    }

    /// `5`, `4.25`, `0.0123`.
    package static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e12 { return String(Int(value)) }
        var text = String(format: "%.4f", value)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}

/// What a run has spent so far.
package struct Spending: Sendable, Hashable, Codable {
    package var taskSeconds: Double = 0
    package var cost: Double = 0

    package init(taskSeconds: Double = 0, cost: Double = 0) {
        self.taskSeconds = taskSeconds
        self.cost = cost
    }

    package mutating func add(_ report: Report) {
        taskSeconds += max(0, report.endedAt - report.startedAt)
        cost += max(0, report.cost ?? 0)
    }
}

/// How a stage's reports say what they cost (its `cost`): a JSON field of the report (the last
/// JSON line that has it, for JSON Lines), or the first group of a regular expression.
package struct CostRule: Sendable, Hashable, Codable {
    /// A field name, or a path of names joined by dots (`usage.cost_usd`).
    package var json: String?
    package var match: String?

    package init(json: String? = nil, match: String? = nil) {
        self.json = json
        self.match = match
    }

    /// The cost `stdout` reports, or nil when it does not say.
    package func cost(of stdout: Data) -> Double? {
        if let json {
            let path = json.split(separator: ".").map(String.init)
            if let value = Self.field(path, in: stdout) { return value }
            for line in stdout.split(separator: 0x0A).reversed() {
                if let value = Self.field(path, in: Data(line)) { return value }
            }
            return nil
        }
        if let match, let regex = TimedMatch.compile(match) {
            let value = TimedMatch.captured(regex, in: String(decoding: stdout, as: UTF8.self))
            return value.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        }
        return nil
    }

    private static func field(_ path: [String], in data: Data) -> Double? {
        guard var value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        for key in path {
            guard let object = value as? [String: Any], let next = object[key] else { return nil }
            value = next
        }
        if let number = value as? NSNumber, !(value is Bool) {
            let double = number.doubleValue
            return double.isFinite && double >= 0 ? double : nil
        }
        if let text = value as? String, let double = Double(text), double.isFinite, double >= 0 { return double }
        return nil
    }
}
