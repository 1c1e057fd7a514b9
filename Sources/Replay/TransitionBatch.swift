/// A batch of transitions `(s, a, r, s', terminated, truncated)` in flat,
/// row-major arrays — the one transition batch type every consumer shares
/// (model training, Dyna learners, imagined rollouts), as in mbrl-lib's
/// `TransitionBatch`.
///
/// Shapes (`B = batchSize`):
///
/// | field              | shape                 | meaning                                  |
/// |--------------------|-----------------------|------------------------------------------|
/// | `observations`     | `[B, observationSize]`| s                                        |
/// | `actions`          | `[B, actionSize]`     | a (a discrete action is one float, its index; `Action.vector`) |
/// | `rewards`          | `[B]`                 | r                                        |
/// | `nextObservations` | `[B, observationSize]`| s'                                       |
/// | `terminated`       | `[B]`                 | 1 if s' is terminal (no bootstrapping), else 0 |
/// | `truncated`        | `[B]`                 | 1 if the episode was cut short at s' (bootstrap from s'), else 0 |
/// | `indices`          | `[B]`                 | the buffer slot each row came from (for priorities, debugging) |
///
/// Flags are Floats (exactly 0 or 1) so targets read `r + γ (1 − terminated) V(s')`
/// without conversion. `terminated` and `truncated` stay distinct (STYLE rule 7).
///
/// Reuse: `ReplayBuffer.sampleTransitions(batchSize:into:using:)` overwrites a
/// batch in place and only reallocates when the shape changes.
public struct TransitionBatch: Equatable, Sendable {
    public private(set) var batchSize: Int
    public private(set) var observationSize: Int
    public private(set) var actionSize: Int
    public var observations: [Float]
    public var actions: [Float]
    public var rewards: [Float]
    public var nextObservations: [Float]
    public var terminated: [Float]
    public var truncated: [Float]
    public var indices: [Int]

    /// A zero-filled batch of the given shape.
    public init(batchSize: Int = 0, observationSize: Int, actionSize: Int) {
        precondition(batchSize >= 0 && observationSize >= 0 && actionSize >= 0,
                     "TransitionBatch: negative size (batch \(batchSize), observation \(observationSize), action \(actionSize))")
        self.batchSize = batchSize
        self.observationSize = observationSize
        self.actionSize = actionSize
        observations = [Float](repeating: 0, count: batchSize * observationSize)
        actions = [Float](repeating: 0, count: batchSize * actionSize)
        rewards = [Float](repeating: 0, count: batchSize)
        nextObservations = [Float](repeating: 0, count: batchSize * observationSize)
        terminated = [Float](repeating: 0, count: batchSize)
        truncated = [Float](repeating: 0, count: batchSize)
        indices = [Int](repeating: 0, count: batchSize)
    }

    /// A batch from filled arrays (e.g. imagined transitions); lengths must match
    /// the shapes in the table above (a programmer error otherwise).
    public init(observationSize: Int, actionSize: Int, observations: [Float], actions: [Float], rewards: [Float],
                nextObservations: [Float], terminated: [Float], truncated: [Float], indices: [Int]? = nil) {
        let b = rewards.count
        precondition(observations.count == b * observationSize && nextObservations.count == b * observationSize
                     && actions.count == b * actionSize && terminated.count == b && truncated.count == b
                     && (indices?.count ?? b) == b,
                     "TransitionBatch: arrays disagree with batch \(b), observation \(observationSize), action \(actionSize): "
                     + "observations \(observations.count), actions \(actions.count), nextObservations \(nextObservations.count), "
                     + "terminated \(terminated.count), truncated \(truncated.count)")
        self.batchSize = b
        self.observationSize = observationSize
        self.actionSize = actionSize
        self.observations = observations
        self.actions = actions
        self.rewards = rewards
        self.nextObservations = nextObservations
        self.terminated = terminated
        self.truncated = truncated
        self.indices = indices ?? [Int](repeating: -1, count: b)
    }

    /// Reshapes to `batchSize` rows, reallocating only if a dimension changed.
    public mutating func resize(batchSize: Int, observationSize: Int, actionSize: Int) {
        guard batchSize != self.batchSize || observationSize != self.observationSize || actionSize != self.actionSize
        else { return }
        self = TransitionBatch(batchSize: batchSize, observationSize: observationSize, actionSize: actionSize)
    }
}
