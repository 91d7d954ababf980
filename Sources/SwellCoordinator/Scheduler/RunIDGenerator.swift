import SwellCore

/// Run ids, `YYYYMMDD-HHMMSS-XXXX`: the UTC time of submission and four hex digits from a
/// pseudo-random sequence seeded by the shell. Sortable; unique within one coordinator.
struct RunIDGenerator: Sendable {
    private var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    /// The next id for a run submitted at `wall` (seconds since 1970), not one of `taken`.
    mutating func next(at wall: Double, taken: (String) -> Bool) -> String {
        var id = "\(Self.stamp(wall))-\(Self.hex4(UInt16(truncatingIfNeeded: random.next() >> 48)))"
        while taken(id) { id += "x" }
        return id
    }

    /// `YYYYMMDD-HHMMSS` in UTC.
    static func stamp(_ wall: Double) -> String {
        let seconds = Int64(wall.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let second = Int(seconds - days * 86_400)
        let (year, month, day) = civil(days)
        return pad(year, 4) + pad(month, 2) + pad(day, 2) + "-" + pad(second / 3_600, 2) + pad(second / 60 % 60, 2) + pad(second % 60, 2)
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (days-to-civil).
    static func civil(_ days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    private static func hex4(_ value: UInt16) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 4 - text.count) + text
    }
}
