import Foundation
import SwellCore

/// Random input for tests, reproducible: the seed is printed, and `SWELL_TEST_SEED` replays it.
package struct SeededRandom: RandomNumberGenerator, Sendable {
    package let seed: UInt64
    private var random: SplitMix64

    /// A generator for the test `name`, seeded from `SWELL_TEST_SEED` or at random; says which.
    package init(_ name: String) {
        let given = ProcessInfo.processInfo.environment["SWELL_TEST_SEED"].flatMap { UInt64($0) }
        self.init(seed: given ?? .random(in: .min ... .max))
        print("\(name): seed \(seed) (replay with SWELL_TEST_SEED=\(seed))")
    }

    package init(seed: UInt64) {
        self.seed = seed
        random = SplitMix64(seed: seed)
    }

    package mutating func next() -> UInt64 { random.next() }
}
