/// Samplers over any `RandomNumberGenerator` (normally `SeededGenerator`).
///
/// Uniform floats use the top 24 (Float) or 53 (Double) bits, so they lie in
/// [0, 1) exactly; normals use the Box–Muller transform in Double precision.
extension RandomNumberGenerator {
    /// Uniform in [0, 1) with 24 bits of resolution.
    @inlinable
    public mutating func uniformFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform in [0, 1) with 53 bits of resolution.
    @inlinable
    public mutating func uniformDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform in [low, high).
    @inlinable
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * uniformFloat()
    }

    /// Uniform in [low, high).
    @inlinable
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * uniformDouble()
    }

    /// A standard normal draw (Box–Muller, one of the pair; Double precision).
    @inlinable
    public mutating func normal() -> Double {
        var u1 = uniformDouble()
        while u1 <= .leastNormalMagnitude { u1 = uniformDouble() }
        let u2 = uniformDouble()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    /// A normal draw with the given mean and standard deviation, as Float.
    @inlinable
    public mutating func normal(mean: Float = 0, std: Float = 1) -> Float {
        mean + std * Float(normal())
    }

    /// Fills `buffer` with independent normal draws (both Box–Muller outputs used).
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>, mean: Float = 0, std: Float = 1) {
        var i = 0
        let n = buffer.count
        while i < n {
            var u1 = uniformDouble()
            while u1 <= .leastNormalMagnitude { u1 = uniformDouble() }
            let u2 = uniformDouble()
            let r = (-2 * _log(u1)).squareRoot()
            let a = 2 * Double.pi * u2
            buffer[i] = mean + std * Float(r * _cos(a))
            if i + 1 < n { buffer[i + 1] = mean + std * Float(r * _sin(a)) }
            i += 2
        }
    }

    /// An index drawn with probability proportional to `weights` (non-negative,
    /// not all zero). Returns the last index with positive weight on round-off.
    public mutating func categorical<C: Collection>(_ weights: C) -> Int where C.Element == Double, C.Index == Int {
        let total = weights.reduce(0, +)
        precondition(total > 0 && total.isFinite, "categorical: weights must be non-negative with a positive, finite sum")
        var u = uniformDouble() * total
        var last = weights.startIndex
        for i in weights.indices where weights[i] > 0 {
            last = i
            u -= weights[i]
            if u < 0 { return i }
        }
        return last
    }

    /// A uniformly random permutation of 0..<n (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        var i = n - 1
        while i > 0 {
            let j = Int(next(upperBound: UInt64(i + 1)))
            p.swapAt(i, j)
            i -= 1
        }
        return p
    }
}

// Foundation-free libm access (this module has no dependencies).
#if canImport(Glibc)
import Glibc
@usableFromInline func _log(_ x: Double) -> Double { Glibc.log(x) }
@usableFromInline func _cos(_ x: Double) -> Double { Glibc.cos(x) }
@usableFromInline func _sin(_ x: Double) -> Double { Glibc.sin(x) }
#elseif canImport(Darwin)
import Darwin
@usableFromInline func _log(_ x: Double) -> Double { Darwin.log(x) }
@usableFromInline func _cos(_ x: Double) -> Double { Darwin.cos(x) }
@usableFromInline func _sin(_ x: Double) -> Double { Darwin.sin(x) }
#endif
