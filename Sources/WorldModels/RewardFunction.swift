/// A known reward and termination function of (observation, action, next
/// observation), used instead of a learned reward head where the task is known
/// (mbrl-lib's `reward_fns` / `termination_fns`).
public protocol RewardFunction: Sendable {
    /// Writes `rewards[r]` and `terminated[r]` for every row.
    ///
    /// - `observations`, `nextObservations`: `[rows, observationSize]`; `actions`: `[rows, actionSize]`.
    func evaluate(observations: UnsafeBufferPointer<Float>, actions: UnsafeBufferPointer<Float>,
                  nextObservations: UnsafeBufferPointer<Float>, rows: Int,
                  rewards: UnsafeMutableBufferPointer<Float>, terminated: UnsafeMutableBufferPointer<Bool>)
}

/// Continuous CartPole (mbrl-lib `cartpole_continuous`): terminated when the
/// cart leaves ±2.4 or the pole leans more than 12°; reward 1 while alive and 0
/// on the terminating step (mbrl-lib `reward_fns.cartpole`). Observation
/// `(x, ẋ, θ, θ̇)`.
public struct CartPoleRewardFunction: RewardFunction {
    public var xThreshold: Float = 2.4
    public var thetaThreshold: Float = 12 * 2 * Float.pi / 360

    public init() {}

    public func evaluate(observations: UnsafeBufferPointer<Float>, actions: UnsafeBufferPointer<Float>,
                         nextObservations: UnsafeBufferPointer<Float>, rows: Int,
                         rewards: UnsafeMutableBufferPointer<Float>, terminated: UnsafeMutableBufferPointer<Bool>) {
        for r in 0..<rows {
            let x = nextObservations[4 * r], theta = nextObservations[4 * r + 2]
            let done = x < -xThreshold || x > xThreshold || theta < -thetaThreshold || theta > thetaThreshold
            terminated[r] = done
            rewards[r] = done ? 0 : 1
        }
    }
}

/// Pendulum-v1's reward, `-(θ² + 0.1 θ̇² + 0.001 u²)` with θ normalised to
/// [-π, π] and u clipped to ±2, computed from the observation `(cos θ, sin θ, θ̇)`
/// before the step (as Gymnasium does); never terminates.
public struct PendulumRewardFunction: RewardFunction {
    public var maxTorque: Float = 2

    public init() {}

    public func evaluate(observations: UnsafeBufferPointer<Float>, actions: UnsafeBufferPointer<Float>,
                         nextObservations: UnsafeBufferPointer<Float>, rows: Int,
                         rewards: UnsafeMutableBufferPointer<Float>, terminated: UnsafeMutableBufferPointer<Bool>) {
        for r in 0..<rows {
            let theta = atan2f(observations[3 * r + 1], observations[3 * r])
            let thetaDot = observations[3 * r + 2]
            let u = min(max(actions[r], -maxTorque), maxTorque)
            rewards[r] = -(theta * theta + 0.1 * thetaDot * thetaDot + 0.001 * u * u)
            terminated[r] = false
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
