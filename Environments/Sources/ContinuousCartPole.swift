import Foundation
import SeededRandom

/// Continuous-action cart-pole, exactly as mbrl-lib's `mbrl/env/cartpole_continuous.py`
/// (the environment of its PETS examples): Gymnasium's CartPole dynamics with the
/// force `F = force_mag · a` for an action `a ∈ [−1, 1]`.
///
/// - State and observation: `[x, x_dot, θ, θ_dot]` (float64 state, float32
///   observation) in `Box([−4.8, −f32max, −0.418879, −f32max], [4.8, f32max, 0.418879, f32max])`.
/// - Action: `Box(−1, 1, [1])`; `force_mag = 10`, `g = 9.8`, `m_cart = 1`, `m_pole = 0.1`,
///   half-length `0.5`, explicit Euler with `tau = 0.02` (see `CartPole` for the equations).
/// - Reward: `1` per step, including the terminating one.
/// - Terminated when `|x| > 2.4` or `|θ| > 12°`; the registry's `TimeLimit`
///   truncates after 200 steps (mbrl-lib's `trial_length` for this env).
/// - Reset: every state variable uniform in `[−0.05, 0.05)`.
///
/// mbrl-lib lets a terminated episode keep stepping with reward 0; here that is
/// `EnvironmentError.needsReset`, as for every built-in environment.
public struct ContinuousCartPole: Environment, SimulatorStateSettable, SnapshotByValue {
    public static let id = "ContinuousCartPole-v0"

    public let gravity = 9.8
    public let masscart = 1.0
    public let masspole = 0.1
    public let length = 0.5
    public let forceMag = 10.0
    public let tau = 0.02
    public let thetaThresholdRadians = 12 * 2 * Double.pi / 360
    public let xThreshold = 2.4
    var totalMass: Double { masspole + masscart }
    var polemassLength: Double { masspole * length }

    /// `[x, x_dot, θ, θ_dot]`.
    public private(set) var state: (Double, Double, Double, Double) = (0, 0, 0, 0)
    var generator: SeededGenerator
    var phase = EpisodePhase.needsReset
    var observationBuffer = [Float](repeating: 0, count: 4)

    public init(seed: UInt64 = 0) {
        generator = SeededGenerator(seed: seed)
    }

    public var observationSpace: Space {
        let x = Float(xThreshold * 2), t = Float(thetaThresholdRadians * 2), big = Float.greatestFiniteMagnitude
        return .box(Box(low: [-x, -big, -t, -big], high: [x, big, t, big]))
    }

    public var actionSpace: Space { .box(Box(low: -1, high: 1, shape: [1])) }

    public mutating func reset(seed: UInt64?) throws -> ResetResult {
        if let seed { generator = SeededGenerator(seed: seed) }
        state = (generator.uniform(-0.05, 0.05), generator.uniform(-0.05, 0.05),
                 generator.uniform(-0.05, 0.05), generator.uniform(-0.05, 0.05))
        phase = .running
        return ResetResult(observation: writeObservation())
    }

    public mutating func step(_ action: Action) throws -> StepResult {
        let a = try scalarAction(action, low: -1, high: 1, environment: Self.id)
        guard phase == .running else { throw EnvironmentError.needsReset(environment: Self.id) }
        var (x, xDot, theta, thetaDot) = state
        let force = Double(a) * forceMag
        let costheta = cos(theta), sintheta = sin(theta)
        let temp = (force + polemassLength * (thetaDot * thetaDot) * sintheta) / totalMass
        let thetaacc = (gravity * sintheta - costheta * temp)
            / (length * (4.0 / 3.0 - masspole * (costheta * costheta) / totalMass))
        let xacc = temp - polemassLength * thetaacc * costheta / totalMass
        x = x + tau * xDot
        xDot = xDot + tau * xacc
        theta = theta + tau * thetaDot
        thetaDot = thetaDot + tau * thetaacc
        state = (x, xDot, theta, thetaDot)
        let terminated = x < -xThreshold || x > xThreshold || theta < -thetaThresholdRadians || theta > thetaThresholdRadians
        if terminated { phase = .needsReset }
        return StepResult(observation: writeObservation(), reward: 1, terminated: terminated, truncated: false, info: Info())
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
