import SwellCore

/// Plan durations: a number and a unit, `500ms`, `30s`, `1.5m`, `1h`.
package enum Durations {
    /// The duration `text` says, to the millisecond, or nil if it is not a duration.
    package static func parse(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000)]
        for (unit, scale) in units where text.hasSuffix(unit) {
            let number = text.dropLast(unit.count)
            guard !number.isEmpty,
                  number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
                  number.filter({ $0 == "." }).count <= 1,
                  number.first != ".", number.last != ".",
                  let value = Double(number) else { return nil }
            let ms = value * scale
            guard ms < Double(Int32.max) * 1_000 else { return nil }
            return .milliseconds(Int(ms.rounded()))
        }
        return nil
    }

    /// `1.5s`, `250ms`, `2m05s` style text for messages.
    package static func format(_ duration: Duration) -> String {
        let milliseconds = duration.wholeMilliseconds
        if milliseconds < 1_000 { return "\(milliseconds)ms" }
        let seconds = Double(milliseconds) / 1_000
        if seconds < 60 { return seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(String(format1: seconds))s" }
        let minutes = Int(seconds) / 60
        let rest = Int(seconds) % 60
        return rest == 0 ? "\(minutes)m" : "\(minutes)m\(rest < 10 ? "0" : "")\(rest)s"
    }
}

extension String {
    /// One decimal place, without Foundation.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(tenths % 10)"
    }
}
