import SeededRandom

/// A reinforcement-learning environment, following Gymnasium's contract
/// (`gymnasium.Env`, v1.x):
///
/// - `reset(seed:)` starts an episode and returns the first observation. A
///   non-nil seed re-seeds the environment's own generator (`SeededGenerator`);
///   `nil` continues its stream, so `reset(seed: s)` followed by resets with
///   `nil` is reproducible.
/// - `step(_:)` advances one step. `terminated` means the MDP reached a terminal
///   state (no bootstrapping past it); `truncated` means the episode was cut
///   short (time limit) and the state is not terminal. They stay distinct.
/// - Observations are flat `[Float]` vectors inside `observationSpace`
///   (row-major for multi-dimensional boxes); actions are `Action` values
///   inside `actionSpace`.
/// - Bad input is an error, never a trap: an action outside the space, a wrong
///   action length, stepping before `reset` or after the episode ended.
///
/// Environments that can copy their full simulator state implement `snapshot()`
/// and `restore(_:)` (planning on the true dynamics, tests that set a state);
/// the others return `nil` from `snapshot()` and throw from `restore(_:)`.
public protocol Environment {
    /// The space every observation lies in.
    var observationSpace: Space { get }
    /// The space of valid actions.
    var actionSpace: Space { get }

    /// Starts a new episode. A non-nil `seed` re-seeds the environment's generator.
    mutating func reset(seed: UInt64?) throws -> ResetResult

    /// Advances the environment by one step with `action`.
    mutating func step(_ action: Action) throws -> StepResult

    /// The full simulator state (dynamics, step counter, generator), or `nil` if
    /// the environment cannot copy it.
    func snapshot() -> EnvironmentSnapshot?

    /// Puts the environment back into a state returned by `snapshot()`.
    mutating func restore(_ snapshot: EnvironmentSnapshot) throws
}

extension Environment {
    /// Starts a new episode continuing the generator's stream (Gymnasium's `reset()`).
    public mutating func reset() throws -> ResetResult { try reset(seed: nil) }
}

/// What `reset` returns: Gymnasium's `(observation, info)`.
public struct ResetResult: Sendable {
    public var observation: [Float]
    public var info: Info

    public init(observation: [Float], info: Info = [:]) {
        self.observation = observation
        self.info = info
    }
}

/// What `step` returns: Gymnasium's `(observation, reward, terminated, truncated, info)`.
public struct StepResult: Sendable {
    public var observation: [Float]
    public var reward: Double
    /// The MDP reached a terminal state: do not bootstrap past it.
    public var terminated: Bool
    /// The episode was cut short (e.g. time limit); the state is not terminal.
    public var truncated: Bool
    public var info: Info

    public init(observation: [Float], reward: Double, terminated: Bool, truncated: Bool, info: Info = [:]) {
        self.observation = observation
        self.reward = reward
        self.terminated = terminated
        self.truncated = truncated
        self.info = info
    }

    /// `terminated || truncated`: the episode is over and needs a reset.
    public var done: Bool { terminated || truncated }
}

/// An opaque copy of an environment's full state, made by `snapshot()` and
/// accepted by `restore(_:)` of the same environment type.
public struct EnvironmentSnapshot: @unchecked Sendable {
    /// The environment-specific state (a value type).
    public let state: Any

    public init(_ state: Any) { self.state = state }

    /// The stored state as `T`, or an error naming the environment and both types.
    public func value<T>(as type: T.Type, environment: String) throws -> T {
        guard let value = state as? T else {
            throw EnvironmentError.invalidSnapshot(environment: environment,
                                                   expected: String(describing: T.self),
                                                   got: String(describing: Swift.type(of: state)))
        }
        return value
    }
}
