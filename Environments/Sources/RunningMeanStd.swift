/// Running per-component mean and variance of a stream of vectors, merged with
/// Chan et al.'s parallel update (Welford's algorithm for batches), as Gymnasium's
/// `RunningMeanStd`:
///
///     δ = x̄_b − μ,  n' = n + n_b,  μ' = μ + δ n_b / n',
///     σ²' = (σ² n + σ²_b n_b + δ² n n_b / n') / n'
///
/// Starts like Gymnasium's: `μ = 0`, `σ² = 1`, `n = epsilon = 1e-4` (a tiny prior).
/// Accumulates in float64. Cost: O(size) per update.
public struct RunningMeanStd: Hashable, Sendable {
    public private(set) var mean: [Double]
    public private(set) var variance: [Double]
    public private(set) var count: Double

    public init(size: Int, epsilon: Double = 1e-4) {
        mean = [Double](repeating: 0, count: size)
        variance = [Double](repeating: 1, count: size)
        count = epsilon
    }

    /// Merges one sample (`x.count` must equal the size; a programmer error otherwise).
    public mutating func update(_ x: [Float]) {
        precondition(x.count == mean.count, "RunningMeanStd: sample of \(x.count) values, expected \(mean.count)")
        let total = count + 1
        for i in 0..<mean.count {
            let delta = Double(x[i]) - mean[i]
            let m2 = variance[i] * count + delta * delta * count / total
            mean[i] += delta / total
            variance[i] = m2 / total
        }
        count = total
    }
}
