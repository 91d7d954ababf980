import Foundation

/// Random input for tests, reproducible: the seed is printed, and `SWELL_TEST_SEED` replays it.
///
/// SplitMix64: small, fast, and good enough to make inputs.
package struct SeededRandom: RandomNumberGenerator, Sendable {
    package let seed: UInt64
    private var state: UInt64

    /// A generator for the test `name`, seeded from `SWELL_TEST_SEED` or at random; says which.
    package init(_ name: String) {
        let given = ProcessInfo.processInfo.environment["SWELL_TEST_SEED"].flatMap { UInt64($0) }
        self.init(seed: given ?? .random(in: .min ... .max))
        print("\(name): seed \(seed) (replay with SWELL_TEST_SEED=\(seed))")
    }

    package init(seed: UInt64) {
        self.seed = seed
        state = seed
    }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
