/// Repeats each action `repeats` times and sums the rewards (the "action repeat"
/// / frame-skip of PlaNet and Dreamer; Gymnasium has it as `MaxAndSkipObservation`
/// without the max). Stops early when the episode ends, returning that step's
/// observation, flags and info. Cost: up to `repeats` inner steps per step.
public struct ActionRepeat<Inner: Environment>: Environment {
    public var inner: Inner
    public let repeats: Int

    /// `repeats` must be at least 1 (a programmer error otherwise).
    public init(_ inner: Inner, repeats: Int) {
        precondition(repeats >= 1, "ActionRepeat: repeats must be >= 1, got \(repeats)")
        self.inner = inner
        self.repeats = repeats
    }

    public var observationSpace: Space { inner.observationSpace }
    public var actionSpace: Space { inner.actionSpace }

    public mutating func reset(seed: UInt64?) throws -> ResetResult { try inner.reset(seed: seed) }

    public mutating func step(_ action: Action) throws -> StepResult {
        var result = try inner.step(action)
        var total = result.reward
        var k = 1
        while k < repeats && !result.done {
            result = try inner.step(action)
            total += result.reward
            k += 1
        }
        result.reward = total
        return result
    }

    public func snapshot() -> EnvironmentSnapshot? { inner.snapshot() }
    public mutating func restore(_ snapshot: EnvironmentSnapshot) throws { try inner.restore(snapshot) }
}

extension ActionRepeat: SimulatorStateSettable where Inner: SimulatorStateSettable {
    public var simulatorState: [Double] { inner.simulatorState }
    @discardableResult
    public mutating func setSimulatorState(_ state: [Double]) throws -> [Float] { try inner.setSimulatorState(state) }
}
