/// A batch of `B` windows of `L` consecutive transitions, for training
/// sequence models (GRU, S4, Mamba-like, transformer world models). Arrays are
/// flat and row-major with time inside batch: element `(b, t)` of a per-step
/// field of width `w` starts at `(b * L + t) * w`.
///
/// | field              | shape                    |
/// |--------------------|--------------------------|
/// | `observations`     | `[B, L, observationSize]`|
/// | `actions`          | `[B, L, actionSize]`     |
/// | `rewards`          | `[B, L]`                 |
/// | `nextObservations` | `[B, L, observationSize]`|
/// | `terminated`       | `[B, L]` (0/1)           |
/// | `truncated`        | `[B, L]` (0/1)           |
/// | `resetMask`        | `[B, L]` (0/1)           |
/// | `startIndices`     | `[B]` buffer slot of each window's first step |
///
/// `resetMask[b, t] = 1` exactly when step `t > 0` belongs to a different
/// episode than step `t − 1`: the model's recurrent state must be reset to its
/// initial state before consuming step `t` (at `t = 0` the caller starts from
/// the initial state anyway, so `resetMask[b, 0] = 0`). Windows sampled with
/// `SequenceSampling.withinEpisode` have an all-zero mask.
///
/// Reuse: `ReplayBuffer.sampleSequences(...into:...)` overwrites a batch in
/// place and only reallocates when the shape changes.
public struct SequenceBatch: Equatable, Sendable {
    public private(set) var batchSize: Int
    public private(set) var length: Int
    public private(set) var observationSize: Int
    public private(set) var actionSize: Int
    public var observations: [Float]
    public var actions: [Float]
    public var rewards: [Float]
    public var nextObservations: [Float]
    public var terminated: [Float]
    public var truncated: [Float]
    public var resetMask: [Float]
    public var startIndices: [Int]

    /// A zero-filled batch of the given shape.
    public init(batchSize: Int = 0, length: Int = 0, observationSize: Int, actionSize: Int) {
        precondition(batchSize >= 0 && length >= 0 && observationSize >= 0 && actionSize >= 0,
                     "SequenceBatch: negative size (batch \(batchSize), length \(length), observation \(observationSize), action \(actionSize))")
        self.batchSize = batchSize
        self.length = length
        self.observationSize = observationSize
        self.actionSize = actionSize
        let steps = batchSize * length
        observations = [Float](repeating: 0, count: steps * observationSize)
        actions = [Float](repeating: 0, count: steps * actionSize)
        rewards = [Float](repeating: 0, count: steps)
        nextObservations = [Float](repeating: 0, count: steps * observationSize)
        terminated = [Float](repeating: 0, count: steps)
        truncated = [Float](repeating: 0, count: steps)
        resetMask = [Float](repeating: 0, count: steps)
        startIndices = [Int](repeating: 0, count: batchSize)
    }

    /// Reshapes, reallocating only if a dimension changed.
    public mutating func resize(batchSize: Int, length: Int, observationSize: Int, actionSize: Int) {
        guard batchSize != self.batchSize || length != self.length || observationSize != self.observationSize
              || actionSize != self.actionSize else { return }
        self = SequenceBatch(batchSize: batchSize, length: length, observationSize: observationSize, actionSize: actionSize)
    }
}

/// Which windows `ReplayBuffer.sampleSequences` may return.
public enum SequenceSampling: String, Sendable, Codable, CaseIterable {
    /// Any `L` consecutive stored transitions, uniformly; a window may span
    /// episode boundaries, each marked in `resetMask` (what recurrent and
    /// sequence backbones train on, as in DreamerV3's replay).
    case acrossEpisodes
    /// Only windows that lie inside one episode, uniformly among those;
    /// episodes shorter than `L` contribute none.
    case withinEpisode
}
