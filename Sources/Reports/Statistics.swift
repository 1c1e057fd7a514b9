import Foundation

/// Summary statistics of a sample (e.g. final returns over seeds), with a
/// Student-t 95% confidence interval for the mean — the small-sample
/// convention of RL papers that report mean ± CI over a handful of seeds.
public struct SampleStatistics: Sendable, Equatable {
    public let count: Int
    public let mean: Double
    /// Sample standard deviation (n - 1 in the denominator); 0 for one value.
    public let standardDeviation: Double
    public let minimum: Double
    public let maximum: Double
    public let median: Double

    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "SampleStatistics: needs at least one value")
        count = values.count
        let mean = values.reduce(0, +) / Double(count)
        self.mean = mean
        let squares = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
        standardDeviation = count > 1 ? (squares / Double(count - 1)).squareRoot() : 0
        let sorted = values.sorted()
        minimum = sorted.first!
        maximum = sorted.last!
        median = count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2
    }

    /// Standard error of the mean.
    public var standardError: Double { count > 1 ? standardDeviation / Double(count).squareRoot() : 0 }

    /// Half-width of the two-sided 95% confidence interval for the mean (Student t, n - 1 dof).
    public var confidence95: Double { Self.tCritical95(degreesOfFreedom: count - 1) * standardError }

    /// Two-sided 95% critical values of Student's t (table for 1–30 dof, 1.96 beyond).
    static func tCritical95(degreesOfFreedom dof: Int) -> Double {
        let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                               2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                               2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
        guard dof >= 1 else { return 0 }
        return dof <= table.count ? table[dof - 1] : 1.96
    }
}
