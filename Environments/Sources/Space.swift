import SeededRandom

/// An observation or action space (Gymnasium's `spaces.Box` and `spaces.Discrete`).
public enum Space: Hashable, Sendable, CustomStringConvertible {
    case box(Box)
    case discrete(Discrete)

    /// Number of floats in a flat vector of this space (`1` for `Discrete`).
    public var flatSize: Int {
        switch self {
        case .box(let b): return b.size
        case .discrete: return 1
        }
    }

    /// A uniformly random element (Box: uniform where bounded; normal where a
    /// bound is infinite, as Gymnasium does).
    public func sample<G: RandomNumberGenerator>(using generator: inout G) -> Action {
        switch self {
        case .box(let b): return .continuous(b.sample(using: &generator))
        case .discrete(let d): return .discrete(d.sample(using: &generator))
        }
    }

    /// Whether `action` lies in this space (kind, length, bounds).
    public func contains(_ action: Action) -> Bool {
        switch (self, action) {
        case (.box(let b), .continuous(let v)): return b.contains(v)
        case (.discrete(let d), .discrete(let i)): return d.contains(i)
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .box(let b): return b.description
        case .discrete(let d): return d.description
        }
    }
}

/// A box in R^n with per-element bounds (`gymnasium.spaces.Box`, Float32).
/// Elements are flat `[Float]` vectors of `size = shape.reduce(1, *)` floats,
/// row-major. Bounds may be infinite.
public struct Box: Hashable, Sendable, CustomStringConvertible {
    public var low: [Float]
    public var high: [Float]
    public var shape: [Int]

    /// A box with per-element bounds; `low` and `high` must have `shape`'s size
    /// and `low <= high` elementwise (a programmer error otherwise).
    public init(low: [Float], high: [Float], shape: [Int]? = nil) {
        let shape = shape ?? [low.count]
        precondition(low.count == high.count && low.count == shape.reduce(1, *),
                     "Box: low (\(low.count)), high (\(high.count)) and shape \(shape) disagree")
        precondition(zip(low, high).allSatisfy { $0 <= $1 }, "Box: low must be <= high")
        self.low = low
        self.high = high
        self.shape = shape
    }

    /// A box with the same bounds for every element.
    public init(low: Float, high: Float, shape: [Int]) {
        let n = shape.reduce(1, *)
        self.init(low: Array(repeating: low, count: n), high: Array(repeating: high, count: n), shape: shape)
    }

    /// Number of floats in an element.
    public var size: Int { low.count }

    /// Whether every bound is finite.
    public var isBounded: Bool { low.allSatisfy(\.isFinite) && high.allSatisfy(\.isFinite) }

    public func sample<G: RandomNumberGenerator>(using generator: inout G) -> [Float] {
        (0..<size).map { i in
            let lo = low[i], hi = high[i]
            switch (lo.isFinite, hi.isFinite) {
            case (true, true): return lo + (hi - lo) * generator.uniformFloat()
            case (true, false): return lo + Float(-_logOneMinus(generator.uniformDouble()))   // exponential
            case (false, true): return hi - Float(-_logOneMinus(generator.uniformDouble()))
            case (false, false): return generator.normal(mean: 0, std: 1)
            }
        }
    }

    /// Whether `x` has the right length, is finite where the bounds are, and lies within them.
    public func contains(_ x: [Float]) -> Bool {
        guard x.count == size else { return false }
        for i in 0..<size where !(x[i] >= low[i] && x[i] <= high[i]) { return false }
        return true
    }

    public var description: String {
        if Set(low).count == 1 && Set(high).count == 1 {
            return "Box(\(low[0]), \(high[0]), \(shape))"
        }
        return "Box(low: \(low), high: \(high), shape: \(shape))"
    }
}

/// The integers `start ..< start + n` (`gymnasium.spaces.Discrete`).
public struct Discrete: Hashable, Sendable, CustomStringConvertible {
    public var n: Int
    public var start: Int

    public init(_ n: Int, start: Int = 0) {
        precondition(n > 0, "Discrete: n must be positive, got \(n)")
        self.n = n
        self.start = start
    }

    public func sample<G: RandomNumberGenerator>(using generator: inout G) -> Int {
        start + Int(generator.next(upperBound: UInt64(n)))
    }

    public func contains(_ i: Int) -> Bool { i >= start && i < start + n }

    public var description: String { start == 0 ? "Discrete(\(n))" : "Discrete(\(n), start: \(start))" }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@inline(__always) func _logOneMinus(_ u: Double) -> Double { log1p(-u) }
