/// A seeded, splittable pseudo-random generator: xoshiro256** (Blackman & Vigna,
/// "Scrambled linear pseudorandom number generators", 2021), seeded through
/// SplitMix64 so that any 64-bit seed gives a well-mixed state.
///
/// Every random choice in the framework flows from one of these, created from a
/// seed; there is no global generator. `split()` derives an independent child
/// stream (the parent advances by one draw), so parallel workers each get their
/// own generator and results do not depend on scheduling.
///
/// Cost: `next()` is a handful of shifts and xors; the struct is 32 bytes and is
/// copied by value (a copy replays the same stream — use `split()` for a new one).
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable, Codable {
    /// The four state words (save them to resume the stream with `init(state:)`).
    public var state: (UInt64, UInt64, UInt64, UInt64) { words }
    @usableFromInline var words: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a generator whose whole stream is determined by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        words = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
    }

    /// Restores a generator from a saved `state` (all-zero is invalid and replaced by seed 0).
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        if state == (0, 0, 0, 0) { self.init(seed: 0) } else { self.init(words: state) }
    }

    private init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    @inlinable
    public mutating func next() -> UInt64 {
        let result = rotl(words.1 &* 5, 7) &* 9
        let t = words.1 << 17
        words.2 ^= words.0
        words.3 ^= words.1
        words.1 ^= words.2
        words.0 ^= words.3
        words.2 ^= t
        words.3 = rotl(words.3, 45)
        return result
    }

    @inlinable @inline(__always)
    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// An independent child generator; advances `self` by one draw.
    public mutating func split() -> SeededGenerator {
        SeededGenerator(seed: next() ^ 0x6A09_E667_F3BC_C908)
    }

    /// `count` independent child generators (for parallel workers), in a fixed order.
    public mutating func split(into count: Int) -> [SeededGenerator] {
        (0..<count).map { _ in split() }
    }

    // MARK: - Hashable / Codable over the four state words

    public static func == (a: SeededGenerator, b: SeededGenerator) -> Bool { a.state == b.state }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(state.0); hasher.combine(state.1); hasher.combine(state.2); hasher.combine(state.3)
    }
    public init(from decoder: Decoder) throws {
        var c = try decoder.unkeyedContainer()
        self.init(state: (try c.decode(UInt64.self), try c.decode(UInt64.self),
                          try c.decode(UInt64.self), try c.decode(UInt64.self)))
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(state.0); try c.encode(state.1); try c.encode(state.2); try c.encode(state.3)
    }
}
