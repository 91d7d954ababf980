/// Counters of messages the coordinator dropped, by reason.
package struct DropCounters: Sendable, Codable, Hashable {
    package var malformed: Int
    package var unknownVersion: Int
    package var withoutHello: Int
    package var outOfOrder: Int
    package var unauthorized: Int
    package var tooManyFrames: Int
    package var duplicates: Int
    /// Reports and summaries for runs this coordinator does not know (absent from a
    /// coordinator that does not count them).
    package var unknownRun: Int

    package init(malformed: Int = 0, unknownVersion: Int = 0, withoutHello: Int = 0, outOfOrder: Int = 0,
                unauthorized: Int = 0, tooManyFrames: Int = 0, duplicates: Int = 0, unknownRun: Int = 0) {
        self.unknownRun = unknownRun
        self.malformed = malformed
        self.unknownVersion = unknownVersion
        self.withoutHello = withoutHello
        self.outOfOrder = outOfOrder
        self.unauthorized = unauthorized
        self.tooManyFrames = tooManyFrames
        self.duplicates = duplicates
    }

    enum CodingKeys: String, CodingKey {
        case malformed, unknownVersion, withoutHello, outOfOrder, unauthorized, tooManyFrames, duplicates, unknownRun
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(malformed: try c.decode(Int.self, forKey: .malformed), unknownVersion: try c.decode(Int.self, forKey: .unknownVersion),
                  withoutHello: try c.decode(Int.self, forKey: .withoutHello), outOfOrder: try c.decode(Int.self, forKey: .outOfOrder),
                  unauthorized: try c.decode(Int.self, forKey: .unauthorized), tooManyFrames: try c.decode(Int.self, forKey: .tooManyFrames),
                  duplicates: try c.decode(Int.self, forKey: .duplicates),
                  unknownRun: try c.decodeIfPresent(Int.self, forKey: .unknownRun) ?? 0)
    }
}
