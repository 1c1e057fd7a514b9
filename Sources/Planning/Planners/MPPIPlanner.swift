import SeededRandom

/// Model-predictive path integral control (Williams et al. 2017), in the form
/// of mbrl-lib's `MPPIOptimizer` (after Nagabandi et al. 2019, PDDM).
///
/// Each iteration perturbs the current mean with Gaussian noise `ε ~ N(0, σ²)`
/// per step, smoothed over time with β (β = 1: no smoothing):
///
///     u_0 = β (μ_0 + ε_0) + (1 - β) μ_0
///     u_t = β (μ_t + ε_t) + (1 - β) u_{t-1}          (clipped to the bounds)
///
/// and refits the mean as the reward-weighted average with temperature λ:
///
///     w_p = exp((R_p - max R) / λ) / Σ exp(...),   μ ← Σ_p w_p u_p
///
/// The mean is warm-started from the previous solution shifted by one step.
/// It returns the final mean. Cost: `iterations` objective evaluations.
public struct MPPIPlanner: Planner {
    public let horizon: Int
    public var population: Int
    public var iterations: Int
    /// λ: lower values concentrate the weight on the best sequences.
    public var temperature: Float
    /// σ per action dimension, as a fraction of the bounds' half-width.
    public var noiseStd: Float
    /// β: temporal smoothing of the noise (1 = none).
    public var smoothing: Float
    public let bounds: ActionBounds
    var warmStart: WarmStart

    public init(horizon: Int, bounds: ActionBounds, population: Int = 500, iterations: Int = 5,
                temperature: Float = 1, noiseStd: Float = 0.5, smoothing: Float = 0.7) {
        precondition(horizon > 0 && population > 0 && iterations > 0, "MPPIPlanner: horizon, population and iterations must be positive")
        precondition(temperature > 0, "MPPIPlanner: temperature must be positive")
        self.horizon = horizon
        self.bounds = bounds
        self.population = population
        self.iterations = iterations
        self.temperature = temperature
        self.noiseStd = noiseStd
        self.smoothing = smoothing
        self.warmStart = WarmStart(horizon: horizon, bounds: bounds)
    }

    public mutating func reset() { warmStart.reset() }

    public mutating func plan<Objective: TrajectoryObjective>(_ objective: inout Objective, using generator: inout SeededGenerator) -> [Float] {
        let a = bounds.size
        precondition(objective.actionSize == a, "MPPIPlanner: objective action size \(objective.actionSize) != bounds size \(a)")
        let n = horizon * a
        var mean = warmStart.initialMean()
        let sigma = (0..<a).map { d in noiseStd * (bounds.upper[d] - bounds.lower[d]) / 2 }
        var samples = [Float](repeating: 0, count: population * n)
        var values = [Float](repeating: 0, count: population)
        var weights = [Double](repeating: 0, count: population)

        for _ in 0..<iterations {
            // MARK: perturb the mean with smoothed noise
            for p in 0..<population {
                for t in 0..<horizon {
                    for d in 0..<a {
                        let i = t * a + d
                        let perturbed = mean[i] + sigma[d] * Float(generator.normal())
                        let previous = t == 0 ? mean[i] : samples[p * n + i - a]
                        samples[p * n + i] = bounds.clip(smoothing * perturbed + (1 - smoothing) * previous, dimension: d)
                    }
                }
            }
            // MARK: evaluate
            samples.withUnsafeBufferPointer { s in
                values.withUnsafeMutableBufferPointer { v in objective.evaluate(actions: s, horizon: horizon, values: v) }
            }
            // MARK: reward-weighted mean
            let finite = values.filter(\.isFinite)
            guard let best = finite.max() else { continue }
            var total = 0.0
            for p in 0..<population {
                weights[p] = values[p].isFinite ? _exp(Double(values[p] - best) / Double(temperature)) : 0
                total += weights[p]
            }
            for i in 0..<n {
                var m = 0.0
                for p in 0..<population where weights[p] > 0 { m += weights[p] * Double(samples[p * n + i]) }
                mean[i] = Float(m / total)
            }
        }
        warmStart.remember(mean)
        return mean
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@inline(__always) func _exp(_ x: Double) -> Double { exp(x) }
