/// Normalizes observations to roughly zero mean and unit variance per component
/// with running statistics (Gymnasium's `NormalizeObservation`):
/// `o' = (o − μ) / sqrt(σ² + 1e-8)`, where `μ`, `σ²` come from a `RunningMeanStd`
/// updated with every observation (from `reset` and `step`) before it is
/// normalized, while `updateStatistics` is true (set it false to freeze them for
/// evaluation). The statistics are part of the snapshot.
///
/// The observation space becomes the unbounded `Box` of the same shape (float32).
/// Cost: O(observation size) per step.
public struct NormalizeObservation<Inner: Environment>: Environment {
    public var inner: Inner
    public var statistics: RunningMeanStd
    public var updateStatistics = true
    public let epsilon: Double
    var buffer: [Float]

    /// The inner observation space must be a `Box`.
    public init(_ inner: Inner, epsilon: Double = 1e-8) throws {
        guard case .box(let box) = inner.observationSpace else {
            throw EnvironmentError.invalid("NormalizeObservation needs a Box observation space, got \(inner.observationSpace)")
        }
        self.inner = inner
        self.epsilon = epsilon
        statistics = RunningMeanStd(size: box.size)
        buffer = [Float](repeating: 0, count: box.size)
    }

    public var observationSpace: Space {
        guard case .box(let box) = inner.observationSpace else { return inner.observationSpace }
        return .box(Box(low: -.infinity, high: .infinity, shape: box.shape))
    }

    public var actionSpace: Space { inner.actionSpace }

    public mutating func reset(seed: UInt64?) throws -> ResetResult {
        var result = try inner.reset(seed: seed)
        result.observation = normalize(result.observation)
        return result
    }

    public mutating func step(_ action: Action) throws -> StepResult {
        var result = try inner.step(action)
        result.observation = normalize(result.observation)
        return result
    }

    mutating func normalize(_ observation: [Float]) -> [Float] {
        if updateStatistics { statistics.update(observation) }
        for i in 0..<observation.count {
            buffer[i] = Float((Double(observation[i]) - statistics.mean[i]) / (statistics.variance[i] + epsilon).squareRoot())
        }
        return buffer
    }

    struct State {
        var inner: EnvironmentSnapshot
        var statistics: RunningMeanStd
        var updateStatistics: Bool
    }

    public func snapshot() -> EnvironmentSnapshot? {
        guard let inner = inner.snapshot() else { return nil }
        return EnvironmentSnapshot(State(inner: inner, statistics: statistics, updateStatistics: updateStatistics))
    }

    public mutating func restore(_ snapshot: EnvironmentSnapshot) throws {
        let state = try snapshot.value(as: State.self, environment: "NormalizeObservation<\(Inner.self)>")
        try inner.restore(state.inner)
        statistics = state.statistics
        updateStatistics = state.updateStatistics
    }
}
