/// A type-erased environment: wraps an `any Environment` so the generic
/// wrappers (`TimeLimit<Inner>`, `ActionRepeat<Inner>`, ...) and
/// `VectorEnvironment<Env>` can wrap environments made by id:
///
/// ```swift
/// let env = TimeLimit(AnyEnvironment(try EnvironmentRegistry.builtin.make("Reacher2D-v0")), maxEpisodeSteps: 20)
/// ```
///
/// Every call forwards to `base` (one existential dispatch per call).
public struct AnyEnvironment: Environment {
    public var base: any Environment

    public init(_ base: any Environment) {
        if let erased = base as? AnyEnvironment { self.base = erased.base } else { self.base = base }
    }

    public var observationSpace: Space { base.observationSpace }
    public var actionSpace: Space { base.actionSpace }
    public mutating func reset(seed: UInt64?) throws -> ResetResult { try base.reset(seed: seed) }
    public mutating func step(_ action: Action) throws -> StepResult { try base.step(action) }
    public func snapshot() -> EnvironmentSnapshot? { base.snapshot() }
    public mutating func restore(_ snapshot: EnvironmentSnapshot) throws { try base.restore(snapshot) }
}

extension AnyEnvironment {
    /// The simulator state of `base`, if it exposes one.
    public var simulatorState: [Double]? { (base as? any SimulatorStateSettable)?.simulatorState }

    /// Sets `base`'s simulator state; an error if `base` does not expose one.
    @discardableResult
    public mutating func setSimulatorState(_ state: [Double]) throws -> [Float] {
        try base.setSimulatorStateIfSupported(state)
    }
}

extension Environment {
    /// Sets the simulator state when the environment (or what it wraps) is
    /// `SimulatorStateSettable`, and returns the observation; otherwise an error.
    @discardableResult
    public mutating func setSimulatorStateIfSupported(_ state: [Double]) throws -> [Float] {
        guard var settable = self as? any SimulatorStateSettable else {
            throw EnvironmentError.invalid("\(Self.self) does not expose a settable simulator state")
        }
        let observation = try settable.setSimulatorState(state)
        guard let back = settable as? Self else { preconditionFailure("cast back to \(Self.self) failed") }
        self = back
        return observation
    }
}
