import SeededRandom

/// The cross-entropy method for MPC (Botev et al. 2013; as used by PETS,
/// Chua et al. 2018, and mbrl-lib's `CEMOptimizer`).
///
/// Each iteration samples `population` sequences from a diagonal Gaussian
/// `N(μ, σ²)` (per step and action dimension), truncated to two standard
/// deviations and with the variance constrained to stay inside the bounds:
///
///     σ²_c = min((μ - lower)²/4, (upper - μ)²/4, σ²),   a = μ + σ_c · z,  z ~ TN(0, 1; -2, 2)
///
/// evaluates them, refits mean and variance to the `elites` best, and smooths:
///
///     μ ← α μ + (1 - α) μ_elite,   σ² ← α σ² + (1 - α) σ²_elite
///
/// The initial variance is `(upper - lower)² / 16`; the initial mean is the
/// previous solution shifted by one step (warm start) or the bounds' center.
/// It returns the best sequence evaluated over all iterations (mbrl-lib's
/// default `return_mean_elites: false`), or the final mean if `returnMeanElites`.
///
/// Cost per call: `iterations` objective evaluations of `population` sequences,
/// plus O(iterations · population · horizon · actionSize) sampling work.
public struct CEMPlanner: Planner {
    public let horizon: Int
    public var population: Int
    public var elites: Int
    public var iterations: Int
    public var alpha: Float
    public var returnMeanElites: Bool
    public let bounds: ActionBounds
    var warmStart: WarmStart

    public init(horizon: Int, bounds: ActionBounds, population: Int = 500, elites: Int = 50,
                iterations: Int = 5, alpha: Float = 0.1, returnMeanElites: Bool = false) {
        precondition(horizon > 0 && population > 0 && iterations > 0, "CEMPlanner: horizon, population and iterations must be positive")
        precondition(elites > 0 && elites <= population, "CEMPlanner: elites (\(elites)) must be in 1...population (\(population))")
        self.horizon = horizon
        self.bounds = bounds
        self.population = population
        self.elites = elites
        self.iterations = iterations
        self.alpha = alpha
        self.returnMeanElites = returnMeanElites
        self.warmStart = WarmStart(horizon: horizon, bounds: bounds)
    }

    public mutating func reset() { warmStart.reset() }

    public mutating func plan<Objective: TrajectoryObjective>(_ objective: inout Objective, using generator: inout SeededGenerator) -> [Float] {
        let a = bounds.size
        precondition(objective.actionSize == a, "CEMPlanner: objective action size \(objective.actionSize) != bounds size \(a)")
        let n = horizon * a
        var mean = warmStart.initialMean()
        var variance = (0..<horizon).flatMap { _ in (0..<a).map { d in
            let w = bounds.upper[d] - bounds.lower[d]; return w * w / 16 } }
        var samples = [Float](repeating: 0, count: population * n)
        var values = [Float](repeating: 0, count: population)
        var bestValue = -Float.infinity
        var best = mean
        var order = Array(0..<population)

        for _ in 0..<iterations {
            // MARK: sample within the bounds
            for i in 0..<n {
                let d = i % a
                let lowGap = mean[i] - bounds.lower[d], highGap = bounds.upper[d] - mean[i]
                let std = min(lowGap * lowGap / 4, highGap * highGap / 4, variance[i]).squareRoot()
                for p in 0..<population {
                    samples[p * n + i] = bounds.clip(mean[i] + std * truncatedStandardNormal(&generator), dimension: d)
                }
            }
            // MARK: evaluate
            samples.withUnsafeBufferPointer { s in
                values.withUnsafeMutableBufferPointer { v in objective.evaluate(actions: s, horizon: horizon, values: v) }
            }
            for p in 0..<population where values[p].isNaN { values[p] = -.infinity }
            // MARK: refit to the elites
            order.withUnsafeMutableBufferPointer { o in
                for i in 0..<population { o[i] = i }
            }
            order.sort { values[$0] > values[$1] }
            if values[order[0]] > bestValue {
                bestValue = values[order[0]]
                best = Array(samples[(order[0] * n)..<(order[0] * n + n)])
            }
            for i in 0..<n {
                var m: Float = 0
                for e in 0..<elites { m += samples[order[e] * n + i] }
                m /= Float(elites)
                var v: Float = 0
                for e in 0..<elites { let d = samples[order[e] * n + i] - m; v += d * d }
                v /= Float(elites)
                mean[i] = alpha * mean[i] + (1 - alpha) * m
                variance[i] = alpha * variance[i] + (1 - alpha) * v
            }
        }
        let solution = returnMeanElites ? mean : best
        warmStart.remember(solution)
        return solution
    }
}

/// A standard normal draw truncated to [-2, 2] by rejection (as torch's
/// `trunc_normal_` with a = -2, b = 2; acceptance probability 0.954).
@inline(__always)
func truncatedStandardNormal(_ generator: inout SeededGenerator) -> Float {
    while true {
        let z = Float(generator.normal())
        if z >= -2 && z <= 2 { return z }
    }
}
