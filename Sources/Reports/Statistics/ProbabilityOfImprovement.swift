import Foundation
import SeededRandom

/// rliable's probability of improvement (Agarwal et al. 2021): the chance that
/// a run of X scores higher than a run of Y on the same task,
///
///     P(X > Y) = 1/(n·m) Σᵢ Σⱼ ( [xᵢ > yⱼ] + ½ [xᵢ = yⱼ] ),
///
/// the Mann–Whitney U statistic over n·m, averaged over tasks. Its interval
/// resamples X's and Y's runs independently within each task (rliable's
/// `StratifiedIndependentBootstrap`) and takes the percentile interval.
public struct ProbabilityOfImprovement: Sendable, Equatable {
    public var bootstrap: StratifiedBootstrap

    public init(bootstrap: StratifiedBootstrap = StratifiedBootstrap()) {
        self.bootstrap = bootstrap
    }

    /// P(X > Y) on one task; NaN when either sample is empty.
    public static func estimate(_ x: [Double], _ y: [Double]) -> Double {
        guard !x.isEmpty, !y.isEmpty else { return .nan }
        var wins = 0.0
        for a in x {
            for b in y { wins += a > b ? 1 : (a == b ? 0.5 : 0) }
        }
        return wins / Double(x.count * y.count)
    }

    /// P(X > Y) averaged over the tasks both have runs on (`x[t]`, `y[t]`: scores on task t).
    public static func estimate(tasks x: [[Double]], _ y: [[Double]]) -> Double {
        let pairs = zip(x, y).filter { !$0.0.isEmpty && !$0.1.isEmpty }
        guard !pairs.isEmpty else { return .nan }
        return pairs.map { estimate($0.0, $0.1) }.reduce(0, +) / Double(pairs.count)
    }

    /// The estimate with its bootstrap interval, over tasks.
    public func interval(tasks x: [[Double]], _ y: [[Double]]) -> ConfidenceInterval {
        let pairs = zip(x, y).filter { !$0.0.isEmpty && !$0.1.isEmpty }
        let estimate = Self.estimate(tasks: pairs.map(\.0), pairs.map(\.1))
        guard !pairs.isEmpty else { return ConfidenceInterval(estimate: .nan, lower: .nan, upper: .nan) }
        var generator = SeededGenerator(seed: bootstrap.seed)
        var replicates: [Double] = []
        replicates.reserveCapacity(bootstrap.resamples)
        for _ in 0..<bootstrap.resamples {
            var total = 0.0
            for (a, b) in pairs {
                let ra = a.indices.map { _ in a[StratifiedBootstrap.index(below: a.count, &generator)] }
                let rb = b.indices.map { _ in b[StratifiedBootstrap.index(below: b.count, &generator)] }
                total += Self.estimate(ra, rb)
            }
            replicates.append(total / Double(pairs.count))
        }
        return bootstrap.percentileInterval(estimate: estimate, replicates: replicates)
    }

    /// The estimate with its bootstrap interval, on one task.
    public func interval(_ x: [Double], _ y: [Double]) -> ConfidenceInterval {
        interval(tasks: [x], [y])
    }
}
