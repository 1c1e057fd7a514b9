import Foundation
import SeededRandom

/// The stratified bootstrap of rliable (Agarwal et al. 2021): each resample
/// draws, within every task separately, as many runs as that task has, with
/// replacement; the statistic is computed on the pooled resampled scores, and
/// the interval is the percentile interval of the statistic over resamples
/// (rliable's default `method="percentile"`, 2000 resamples in its examples).
/// With one task this is the plain bootstrap over runs.
///
/// Seeded: the same `seed` gives the same interval. `confidence` is the
/// two-sided level (0.95 → the 2.5th and 97.5th percentiles).
public struct StratifiedBootstrap: Sendable, Equatable {
    public var resamples: Int
    public var seed: UInt64
    public var confidence: Double

    public init(resamples: Int = 2000, seed: UInt64 = 0, confidence: Double = 0.95) {
        self.resamples = max(1, resamples)
        self.seed = seed
        self.confidence = min(max(confidence, 0), 1)
    }

    var lowerPercentile: Double { (1 - confidence) / 2 * 100 }
    var upperPercentile: Double { 100 - lowerPercentile }

    /// The interval of `statistic` over scores grouped by task (`tasks[t]` = the runs' scores on task t).
    /// Empty tasks are ignored; with no scores at all the result is NaN throughout.
    public func interval(tasks: [[Double]], statistic: ([Double]) -> Double) -> ConfidenceInterval {
        let tasks = tasks.filter { !$0.isEmpty }
        let pooled = tasks.flatMap { $0 }
        guard !pooled.isEmpty else { return ConfidenceInterval(estimate: .nan, lower: .nan, upper: .nan) }
        var generator = SeededGenerator(seed: seed)
        var replicates: [Double] = []
        replicates.reserveCapacity(resamples)
        var sample = [Double](repeating: 0, count: pooled.count)
        for _ in 0..<resamples {
            var i = 0
            for task in tasks {
                for _ in 0..<task.count {
                    sample[i] = task[Self.index(below: task.count, &generator)]
                    i += 1
                }
            }
            replicates.append(statistic(sample))
        }
        return percentileInterval(estimate: statistic(pooled), replicates: replicates)
    }

    /// The interval of `statistic` over one task's runs (the plain bootstrap).
    public func interval(_ scores: [Double], statistic: ([Double]) -> Double) -> ConfidenceInterval {
        interval(tasks: [scores], statistic: statistic)
    }

    /// The interval of an `Aggregate` over scores grouped by task.
    public func interval(tasks: [[Double]], _ aggregate: Aggregate) -> ConfidenceInterval {
        interval(tasks: tasks, statistic: { aggregate($0) })
    }

    func percentileInterval(estimate: Double, replicates: [Double]) -> ConfidenceInterval {
        let sorted = replicates.filter { !$0.isNaN }.sorted()
        return ConfidenceInterval(estimate: estimate,
                                  lower: ConfidenceInterval.percentile(sorted: sorted, lowerPercentile),
                                  upper: ConfidenceInterval.percentile(sorted: sorted, upperPercentile))
    }

    /// A uniform index in 0..<n (Lemire's multiply-shift; bias below 2⁻⁶⁴·n, irrelevant for run counts).
    static func index(below n: Int, _ generator: inout SeededGenerator) -> Int {
        Int((UInt64(n).multipliedFullWidth(by: generator.next())).high)
    }
}
