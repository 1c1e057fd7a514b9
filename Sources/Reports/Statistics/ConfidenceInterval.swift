import Foundation

/// A point estimate with a two-sided interval (by default the 95% percentile
/// bootstrap interval, rliable's `get_interval_estimates`, Agarwal et al. 2021).
public struct ConfidenceInterval: Sendable, Equatable {
    public var estimate: Double
    public var lower: Double
    public var upper: Double

    public init(estimate: Double, lower: Double, upper: Double) {
        self.estimate = estimate
        self.lower = lower
        self.upper = upper
    }

    /// Whether `value` lies in [lower, upper].
    public func contains(_ value: Double) -> Bool { lower <= value && value <= upper }

    /// `12.3 [10.1, 14.2]` with `digits` decimals.
    public func formatted(digits: Int = 2) -> String {
        let f = "%.\(digits)f"
        return String(format: f, estimate) + " [" + String(format: f, lower) + ", " + String(format: f, upper) + "]"
    }

    /// `0.007 [0.00655, 0.00734]` with `significantDigits` significant digits (`%g`).
    public func formatted(significantDigits: Int) -> String {
        let f = "%.\(significantDigits)g"
        return String(format: f, estimate) + " [" + String(format: f, lower) + ", " + String(format: f, upper) + "]"
    }

    /// Whether the two intervals share no point: `self` lies wholly below (`-1`) or above (`1`) `other`; `0` when they overlap.
    public func separation(from other: ConfidenceInterval) -> Int {
        if upper < other.lower { return -1 }
        if lower > other.upper { return 1 }
        return 0
    }

    /// The q-th percentile (q in [0, 100]) of `values` with linear interpolation between
    /// order statistics, as `numpy.percentile`'s default (`method="linear"`). NaN if empty.
    public static func percentile(_ values: [Double], _ q: Double) -> Double {
        percentile(sorted: values.sorted(), q)
    }

    static func percentile(sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = min(max(q, 0), 100) / 100 * Double(sorted.count - 1)
        let below = Int(position.rounded(.down)), above = min(below + 1, sorted.count - 1)
        let fraction = position - Double(below)
        return sorted[below] + (sorted[above] - sorted[below]) * fraction
    }
}
