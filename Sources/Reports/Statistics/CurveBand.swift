import Foundation
import SeededRandom

/// The mean of several runs' curves on a shared x grid, with a pointwise
/// percentile-bootstrap band (resample whole runs with replacement, the same
/// draw for every x, and take the percentiles of the resampled mean at each x)
/// — how rliable draws sample-efficiency curves (Agarwal et al. 2021), here for
/// the mean.
public struct CurveBand: Sendable, Equatable {
    public var x: [Double]
    public var mean: [Double]
    public var lower: [Double]
    public var upper: [Double]
    /// How many runs the curve averages.
    public var runs: Int

    /// `curves[r][i]`: run r's value at `x[i]`; every curve must have `x.count` values (longer ones are cut, shorter
    /// ones shorten the grid).
    public init(x: [Double], curves: [[Double]], bootstrap: StratifiedBootstrap = StratifiedBootstrap()) {
        let length = min(x.count, curves.map(\.count).min() ?? 0)
        self.x = Array(x.prefix(length))
        self.runs = curves.count
        guard length > 0, !curves.isEmpty else {
            mean = []; lower = []; upper = []
            return
        }
        let n = Double(curves.count)
        mean = (0..<length).map { i in curves.reduce(0) { $0 + $1[i] } / n }
        var generator = SeededGenerator(seed: bootstrap.seed)
        var replicates = [[Double]](repeating: [], count: length)
        for i in 0..<length { replicates[i].reserveCapacity(bootstrap.resamples) }
        var sums = [Double](repeating: 0, count: length)
        for _ in 0..<bootstrap.resamples {
            for i in 0..<length { sums[i] = 0 }
            for _ in 0..<curves.count {
                let curve = curves[StratifiedBootstrap.index(below: curves.count, &generator)]
                for i in 0..<length { sums[i] += curve[i] }
            }
            for i in 0..<length { replicates[i].append(sums[i] / n) }
        }
        let sorted = replicates.map { $0.sorted() }
        lower = sorted.map { ConfidenceInterval.percentile(sorted: $0, bootstrap.lowerPercentile) }
        upper = sorted.map { ConfidenceInterval.percentile(sorted: $0, bootstrap.upperPercentile) }
    }
}
