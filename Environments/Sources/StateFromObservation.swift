/// An environment whose observation determines its simulator state, so that
/// the simulator can be put into the state behind any observation — for
/// example a dataset's states, when offline RL replaces the learned model
/// with the true dynamics (the edge-of-reach experiment: Sims et al. 2024).
public protocol StateFromObservation: SimulatorStateSettable {
    /// The simulator state (`simulatorState`'s layout) that emits `observation`;
    /// an observation of the wrong length or with non-finite values is an error.
    func simulatorState(forObservation observation: [Float]) throws -> [Double]
}

extension Pendulum: StateFromObservation {
    /// `(θ, θ̇)` from the observation `(cos θ, sin θ, θ̇)`: `θ = atan2(sin θ, cos θ)`.
    public func simulatorState(forObservation observation: [Float]) throws -> [Double] {
        guard observation.count == 3, observation.allSatisfy(\.isFinite) else {
            throw EnvironmentError.invalid("Pendulum-v1: an observation is 3 finite values (cos θ, sin θ, θ̇), got \(observation)")
        }
        return [_atan2(Double(observation[1]), Double(observation[0])), Double(observation[2])]
    }
}

extension ContinuousCartPole: StateFromObservation {
    /// The observation `(x, ẋ, θ, θ̇)` is the state.
    public func simulatorState(forObservation observation: [Float]) throws -> [Double] {
        guard observation.count == 4, observation.allSatisfy(\.isFinite) else {
            throw EnvironmentError.invalid("ContinuousCartPole-v0: an observation is 4 finite values (x, ẋ, θ, θ̇), got \(observation)")
        }
        return observation.map(Double.init)
    }
}

extension TimeLimit: StateFromObservation where Inner: StateFromObservation {
    public func simulatorState(forObservation observation: [Float]) throws -> [Double] {
        try inner.simulatorState(forObservation: observation)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@inline(__always) func _atan2(_ y: Double, _ x: Double) -> Double { atan2(y, x) }
