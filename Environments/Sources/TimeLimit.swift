/// Truncates episodes after `maxEpisodeSteps` steps (Gymnasium's `TimeLimit`,
/// which `gym.make` adds for specs with `max_episode_steps`).
///
/// `truncated` becomes true on the step where the elapsed count reaches
/// `maxEpisodeSteps` (`truncated = inner.truncated || elapsed >= max`);
/// `terminated` passes through unchanged, so a terminal state on the last step is
/// both terminated and truncated, as in Gymnasium. Stepping after the episode
/// ended is `EnvironmentError.needsReset`. Cost: one counter per step.
///
/// Generic over the wrapped environment; wrap an `any Environment` with
/// `TimeLimit(AnyEnvironment(env), maxEpisodeSteps: n)`.
public struct TimeLimit<Inner: Environment>: Environment {
    public var inner: Inner
    public let maxEpisodeSteps: Int
    public private(set) var elapsedSteps = 0
    var needsReset = true

    /// `maxEpisodeSteps` must be positive (a programmer error otherwise; the
    /// registry checks user-given values before calling this).
    public init(_ inner: Inner, maxEpisodeSteps: Int) {
        precondition(maxEpisodeSteps > 0, "TimeLimit: maxEpisodeSteps must be positive, got \(maxEpisodeSteps)")
        self.inner = inner
        self.maxEpisodeSteps = maxEpisodeSteps
    }

    public var observationSpace: Space { inner.observationSpace }
    public var actionSpace: Space { inner.actionSpace }

    public mutating func reset(seed: UInt64?) throws -> ResetResult {
        let result = try inner.reset(seed: seed)
        elapsedSteps = 0
        needsReset = false
        return result
    }

    public mutating func step(_ action: Action) throws -> StepResult {
        guard !needsReset else { throw EnvironmentError.needsReset(environment: "TimeLimit<\(Inner.self)>") }
        var result = try inner.step(action)
        elapsedSteps += 1
        if elapsedSteps >= maxEpisodeSteps { result.truncated = true }
        if result.terminated || result.truncated { needsReset = true }
        return result
    }

    struct State {
        var inner: EnvironmentSnapshot
        var elapsedSteps: Int
        var needsReset: Bool
    }

    public func snapshot() -> EnvironmentSnapshot? {
        guard let inner = inner.snapshot() else { return nil }
        return EnvironmentSnapshot(State(inner: inner, elapsedSteps: elapsedSteps, needsReset: needsReset))
    }

    public mutating func restore(_ snapshot: EnvironmentSnapshot) throws {
        let state = try snapshot.value(as: State.self, environment: "TimeLimit<\(Inner.self)>")
        try inner.restore(state.inner)
        elapsedSteps = state.elapsedSteps
        needsReset = state.needsReset
    }
}

extension TimeLimit: SimulatorStateSettable where Inner: SimulatorStateSettable {
    public var simulatorState: [Double] { inner.simulatorState }

    /// Sets the wrapped environment's state and starts counting steps from 0.
    @discardableResult
    public mutating func setSimulatorState(_ state: [Double]) throws -> [Float] {
        let observation = try inner.setSimulatorState(state)
        elapsedSteps = 0
        needsReset = false
        return observation
    }
}
