/// A small deterministic random number generator (SplitMix64): the same seed gives the same sequence.
///
/// `var rng = SeededGenerator(seed: 42); let x = Double.random(in: 0..<1, using: &rng)`
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator from a seed.
    public init(seed: UInt64) { state = seed }

    /// Creates a generator for one named stream derived from `seed`, so streams do not disturb each other.
    public init(seed: UInt64, stream: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in stream.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        state = seed ^ hash
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state = state &+ 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// True with probability `p` (always draws one value, so the sequence does not depend on `p`).
    public mutating func chance(_ p: Double) -> Bool {
        let x = Double(next() >> 11) / Double(1 << 53)
        return x < p
    }

    /// A duration drawn uniformly from `range` (always draws one value).
    public mutating func duration(in range: ClosedRange<Duration>) -> Duration {
        let x = Double(next() >> 11) / Double(1 << 53)
        let low = range.lowerBound, high = range.upperBound
        return low + (high - low) * x
    }

    /// An index in `0..<count` (0 when `count` ≤ 0; always draws one value).
    public mutating func index(_ count: Int) -> Int {
        let value = next()
        guard count > 0 else { return 0 }
        return Int(value % UInt64(count))
    }
}
