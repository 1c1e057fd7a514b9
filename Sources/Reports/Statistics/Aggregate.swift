import Foundation

/// A point estimate of a set of scores (final returns of runs): rliable's
/// aggregates (Agarwal et al. 2021, "Deep Reinforcement Learning at the Edge
/// of the Statistical Precipice").
///
/// - `mean` and `median` are the usual ones (median: mean of the two middle
///   values for an even count, as `numpy.median`);
/// - `iqm`, the interquartile mean, is rliable's `aggregate_iqm`, which is
///   `scipy.stats.trim_mean(scores, proportiontocut=0.25, axis=None)`: sort,
///   drop `⌊0.25·n⌋` scores from each end and average the rest. scipy trims
///   whole values only (no fractional weights at the boundaries), so for
///   n = 10 the IQM is the mean of the middle 6 values, not a 5-value mean
///   with half-weighted ends; we follow rliable/scipy so numbers match papers
///   that use rliable. For n < 4 nothing is trimmed (the IQM is the mean).
public enum Aggregate: String, Sendable, CaseIterable, Equatable {
    case mean
    case median
    case iqm

    /// The aggregate of `scores`; NaN for an empty array (no trap on empty input).
    public func callAsFunction(_ scores: [Double]) -> Double {
        guard !scores.isEmpty else { return .nan }
        switch self {
        case .mean: return scores.reduce(0, +) / Double(scores.count)
        case .median: return Self.medianOfSorted(scores.sorted())
        case .iqm: return Self.interquartileMean(scores.sorted())
        }
    }

    /// The name shown in tables.
    public var label: String {
        switch self {
        case .mean: return "mean"
        case .median: return "median"
        case .iqm: return "IQM"
        }
    }

    static func medianOfSorted(_ sorted: [Double]) -> Double {
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    /// `scipy.stats.trim_mean(x, 0.25)` over sorted values: cut `Int(0.25 * n)` from each end.
    static func interquartileMean(_ sorted: [Double]) -> Double {
        let cut = sorted.count / 4
        let middle = sorted[cut..<(sorted.count - cut)]
        return middle.reduce(0, +) / Double(middle.count)
    }
}
