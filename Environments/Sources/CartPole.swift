import Foundation
import SeededRandom

/// CartPole-v1, faithful to Gymnasium 1.4 (`gymnasium.envs.classic_control.cartpole`),
/// after Barto, Sutton & Anderson (1983), "Neuronlike adaptive elements that can
/// solve difficult learning control problems".
///
/// - State (float64, Gymnasium's `env.unwrapped.state`): `[x, x_dot, theta, theta_dot]`.
/// - Observation: the state cast to float32, in
///   `Box([-4.8, -inf, -0.418879, -inf], [4.8, inf, 0.418879, inf])`.
/// - Action: `Discrete(2)`; `0` pushes left with `force_mag`, `1` pushes right.
/// - Dynamics (Florian 2007, "Correct equations for the dynamics of the cart-pole system"):
///   `temp = (F + m_p l θ̇² sin θ) / M`,
///   `θ̈ = (g sin θ − cos θ · temp) / (l (4/3 − m_p cos² θ / M))`,
///   `ẍ = temp − m_p l θ̈ cos θ / M`, then one explicit Euler step of `tau = 0.02` s
///   (or semi-implicit Euler when `kinematicsIntegrator == .semiImplicitEuler`).
/// - Reward: `+1` every step, including the terminating one (Gymnasium's default;
///   `suttonBartoReward` gives `0` per step and `-1` on failure).
/// - Terminated when `|x| > 2.4` or `|θ| > 12°`. Truncation (500 steps) comes from
///   `TimeLimit`, as `gym.make("CartPole-v1")` adds it.
/// - Reset: every state variable uniform in `[-0.05, 0.05)` from the environment's
///   own `SeededGenerator` (the distribution matches Gymnasium; the numbers cannot
///   match NumPy's generator).
///
/// Cost: one `sin`, one `cos` and ~20 flops per step; the observation buffer is
/// reused, so a step allocates nothing unless the caller still holds the previous
/// observation (copy-on-write).
public struct CartPole: Environment, SimulatorStateSettable, SnapshotByValue {
    public static let id = "CartPole-v1"

    /// How positions and velocities are advanced: Gymnasium's `"euler"` (default) or
    /// `"semi-implicit euler"` (velocities first, then positions with the new velocities).
    public enum Integrator: String, Sendable, Hashable { case euler, semiImplicitEuler }

    public var gravity = 9.8
    public var masscart = 1.0
    public var masspole = 0.1
    /// Half the pole's length.
    public var length = 0.5
    public var forceMag = 10.0
    /// Seconds between state updates.
    public var tau = 0.02
    public var kinematicsIntegrator = Integrator.euler
    public var suttonBartoReward = false
    public let thetaThresholdRadians = 12 * 2 * Double.pi / 360
    public let xThreshold = 2.4

    var totalMass: Double { masspole + masscart }
    var polemassLength: Double { masspole * length }

    /// `[x, x_dot, theta, theta_dot]`.
    public private(set) var state: (Double, Double, Double, Double) = (0, 0, 0, 0)
    var generator: SeededGenerator
    var phase = EpisodePhase.needsReset
    var observationBuffer = [Float](repeating: 0, count: 4)

    public init(seed: UInt64 = 0) {
        generator = SeededGenerator(seed: seed)
    }

    public var observationSpace: Space {
        let x = Float(xThreshold * 2), t = Float(thetaThresholdRadians * 2)
        return .box(Box(low: [-x, -.infinity, -t, -.infinity], high: [x, .infinity, t, .infinity]))
    }

    public var actionSpace: Space { .discrete(Discrete(2)) }

    public mutating func reset(seed: UInt64?) throws -> ResetResult {
        if let seed { generator = SeededGenerator(seed: seed) }
        state = (generator.uniform(-0.05, 0.05), generator.uniform(-0.05, 0.05),
                 generator.uniform(-0.05, 0.05), generator.uniform(-0.05, 0.05))
        phase = .running
        return ResetResult(observation: writeObservation())
    }

    public mutating func step(_ action: Action) throws -> StepResult {
        let a = try discreteIndex(action, n: 2, environment: Self.id)
        guard phase == .running else { throw EnvironmentError.needsReset(environment: Self.id) }
        var (x, xDot, theta, thetaDot) = state
        let force = a == 1 ? forceMag : -forceMag
        let costheta = cos(theta)
        let sintheta = sin(theta)
        let temp = (force + polemassLength * (thetaDot * thetaDot) * sintheta) / totalMass
        let thetaacc = (gravity * sintheta - costheta * temp)
            / (length * (4.0 / 3.0 - masspole * (costheta * costheta) / totalMass))
        let xacc = temp - polemassLength * thetaacc * costheta / totalMass
        switch kinematicsIntegrator {
        case .euler:
            x = x + tau * xDot
            xDot = xDot + tau * xacc
            theta = theta + tau * thetaDot
            thetaDot = thetaDot + tau * thetaacc
        case .semiImplicitEuler:
            xDot = xDot + tau * xacc
            x = x + tau * xDot
            thetaDot = thetaDot + tau * thetaacc
            theta = theta + tau * thetaDot
        }
        state = (x, xDot, theta, thetaDot)
        let terminated = x < -xThreshold || x > xThreshold
            || theta < -thetaThresholdRadians || theta > thetaThresholdRadians
        let reward: Double
        if terminated {
            phase = .needsReset
            reward = suttonBartoReward ? -1 : 1
        } else {
            reward = suttonBartoReward ? 0 : 1
        }
        return StepResult(observation: writeObservation(), reward: reward, terminated: terminated, truncated: false, info: Info())
    }

    @inline(__always)
    mutating func writeObservation() -> [Float] {
        let s = state
        observationBuffer.withUnsafeMutableBufferPointer { o in
            o[0] = Float(s.0); o[1] = Float(s.1); o[2] = Float(s.2); o[3] = Float(s.3)
        }
        return observationBuffer
    }

    public var simulatorState: [Double] { [state.0, state.1, state.2, state.3] }

    @discardableResult
    public mutating func setSimulatorState(_ s: [Double]) throws -> [Float] {
        try checkStateVector(s, count: 4, environment: Self.id)
        state = (s[0], s[1], s[2], s[3])
        phase = .running
        return writeObservation()
    }
}
