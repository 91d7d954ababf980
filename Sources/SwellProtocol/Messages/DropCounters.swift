/// Counters of messages the coordinator dropped, by reason.
package struct DropCounters: Sendable, Codable, Hashable {
    package var malformed: Int
    package var unknownVersion: Int
    package var withoutHello: Int
    package var outOfOrder: Int
    package var unauthorized: Int
    package var tooManyFrames: Int
    package var duplicates: Int

    package init(malformed: Int = 0, unknownVersion: Int = 0, withoutHello: Int = 0, outOfOrder: Int = 0,
                unauthorized: Int = 0, tooManyFrames: Int = 0, duplicates: Int = 0) {
        self.malformed = malformed
        self.unknownVersion = unknownVersion
        self.withoutHello = withoutHello
        self.outOfOrder = outOfOrder
        self.unauthorized = unauthorized
        self.tooManyFrames = tooManyFrames
        self.duplicates = duplicates
    }
}
