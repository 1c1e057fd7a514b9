import SeededRandom

/// Return-weighted sampling of a dataset's transitions (Hong et al. 2023,
/// "Harnessing Mixed Offline RL Datasets via Trajectory Weighting"): a
/// trajectory is drawn with probability proportional to
///
///     w_i = exp(Ĝ_i / α),   Ĝ_i = (G_i − G_min) / (G_max − G_min) ∈ [0, 1],
///
/// and a transition uniformly within it, so transition `t` of trajectory `i`
/// (length `L_i`) has probability `w_i / (L_i · Σ_j w_j)`. Small temperatures
/// α concentrate on the best trajectories; α → ∞ is uniform over
/// trajectories. Trajectories are split at `terminals` and `timeouts` (a last
/// unfinished stretch is one more trajectory).
///
/// Sampling is a binary search in the cumulative distribution: O(log N) per draw,
/// no allocation.
public struct TrajectoryWeights: Sendable, Equatable {
    /// Cumulative probability up to and including each transition, `[N]`, ending at 1.
    public private(set) var cumulative: [Double]
    /// Trajectories found, in order: (first row, length, return).
    public private(set) var trajectories: [(start: Int, length: Int, return: Double)]

    public static func == (a: TrajectoryWeights, b: TrajectoryWeights) -> Bool { a.cumulative == b.cumulative }

    /// The weights of `dataset`'s transitions at temperature `temperature` (> 0).
    public init(dataset: OfflineDataset, temperature: Double) {
        precondition(temperature > 0 && temperature.isFinite, "TrajectoryWeights: temperature must be positive, got \(temperature)")
        var trajectories: [(start: Int, length: Int, return: Double)] = []
        var start = 0, total = 0.0
        for row in 0..<dataset.count {
            total += Double(dataset.rewards[row])
            if dataset.terminals[row] || dataset.timeouts[row] || row == dataset.count - 1 {
                trajectories.append((start, row - start + 1, total))
                (start, total) = (row + 1, 0)
            }
        }
        let returns = trajectories.map(\.return)
        let low = returns.min() ?? 0, high = returns.max() ?? 0
        let span = high > low ? high - low : 1
        let weights = returns.map { ($0 - low) / span / temperature }
        let largest = weights.max() ?? 0
        let unnormalised = weights.map { (w: Double) -> Double in _expDouble(w - largest) }
        let sum = unnormalised.reduce(0, +)
        var cumulative = [Double](repeating: 0, count: dataset.count)
        var running = 0.0
        for (i, trajectory) in trajectories.enumerated() {
            let perTransition = unnormalised[i] / sum / Double(trajectory.length)
            for row in trajectory.start..<(trajectory.start + trajectory.length) {
                running += perTransition
                cumulative[row] = running
            }
        }
        if !cumulative.isEmpty { cumulative[cumulative.count - 1] = 1 }
        self.cumulative = cumulative
        self.trajectories = trajectories
    }

    /// A row drawn with the weights' probabilities.
    public func sample(using generator: inout SeededGenerator) -> Int {
        let u = generator.uniformDouble()
        var low = 0, high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > u { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// The probability of row `row`.
    public func probability(of row: Int) -> Double { cumulative[row] - (row > 0 ? cumulative[row - 1] : 0) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@inline(__always) func _expDouble(_ x: Double) -> Double { exp(x) }
