/// An environment whose simulator state can be read and set directly, as
/// Gymnasium tests do with `env.unwrapped.state = ...`.
///
/// `simulatorState` is the same flat float64 vector as Gymnasium's
/// `env.unwrapped.state` (e.g. CartPole's `[x, x_dot, theta, theta_dot]`), which
/// is what the golden trajectories in `Tests/EnvironmentsTests/Fixtures` record.
/// Setting it starts an episode from that state: the environment is ready to
/// step (as after `reset`), episode counters restart, and the generator is left
/// as it is. Wrappers forward it to the environment they wrap.
public protocol SimulatorStateSettable: Environment {
    /// The simulator state (float64, Gymnasium's layout).
    var simulatorState: [Double] { get }

    /// Sets the simulator state and returns the observation of that state.
    /// A vector of the wrong length or with non-finite values is an error.
    @discardableResult
    mutating func setSimulatorState(_ state: [Double]) throws -> [Float]
}

/// Checks a state vector given to `setSimulatorState`.
func checkStateVector(_ state: [Double], count: Int, environment: String) throws {
    guard state.count == count else {
        throw EnvironmentError.invalid("\(environment): simulator state needs \(count) values, got \(state.count)")
    }
    guard state.allSatisfy(\.isFinite) else {
        throw EnvironmentError.invalid("\(environment): simulator state must be finite, got \(state)")
    }
}
