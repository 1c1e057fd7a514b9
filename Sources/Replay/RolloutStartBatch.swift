/// Start states for model rollouts (MBPO's branching, Janner et al. 2019):
/// `B` real observations drawn from a replay buffer, each with the real steps
/// that led to it inside its episode, so a sequence world model can observe
/// that history before it imagines (a feed-forward model ignores it).
///
/// | field                 | shape                          | meaning |
/// |-----------------------|--------------------------------|---------|
/// | `observations`        | `[B, observationSize]`         | the start observation `o_p` of each row |
/// | `historyLengths`      | `[B]`                          | `k_b ≤ H` real steps before `o_p` in its episode |
/// | `historyObservations` | `[B, H, observationSize]`      | `o_{p−k} … o_{p−1}`, right-aligned: entry `t ≥ H − k_b` of row b holds `o_{p−(H−t)}` |
/// | `historyActions`      | `[B, H, actionSize]`           | `a_{p−k} … a_{p−1}`, aligned the same way |
/// | `indices`             | `[B]`                          | the buffer slot of each start transition |
///
/// Entries left of a row's history (`t < H − k_b`) are zero. A history is
/// shorter than `H` when the episode began less than `H` steps before `o_p`
/// or its earlier steps were overwritten.
public struct RolloutStartBatch: Equatable, Sendable {
    public private(set) var batchSize: Int
    /// History steps `H` per row at most.
    public private(set) var history: Int
    public let observationSize: Int
    public let actionSize: Int
    public var observations: [Float]
    public var historyLengths: [Int]
    public var historyObservations: [Float]
    public var historyActions: [Float]
    public var indices: [Int]

    /// A zero-filled batch of the given shape.
    public init(batchSize: Int = 0, history: Int = 0, observationSize: Int, actionSize: Int) {
        precondition(batchSize >= 0 && history >= 0 && observationSize >= 0 && actionSize >= 0,
                     "RolloutStartBatch: negative size (batch \(batchSize), history \(history), observation \(observationSize), action \(actionSize))")
        self.batchSize = batchSize
        self.history = history
        self.observationSize = observationSize
        self.actionSize = actionSize
        observations = [Float](repeating: 0, count: batchSize * observationSize)
        historyLengths = [Int](repeating: 0, count: batchSize)
        historyObservations = [Float](repeating: 0, count: batchSize * history * observationSize)
        historyActions = [Float](repeating: 0, count: batchSize * history * actionSize)
        indices = [Int](repeating: 0, count: batchSize)
    }

    /// Reshapes to `batchSize` rows and `history` steps, reallocating only if either changed.
    public mutating func resize(batchSize: Int, history: Int) {
        guard batchSize != self.batchSize || history != self.history else { return }
        self = RolloutStartBatch(batchSize: batchSize, history: history, observationSize: observationSize, actionSize: actionSize)
    }
}
