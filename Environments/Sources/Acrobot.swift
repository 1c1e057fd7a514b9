import Foundation
import SeededRandom

/// Acrobot-v1, faithful to Gymnasium 1.4 (`gymnasium.envs.classic_control.acrobot`),
/// after Sutton (1996), "Generalization in Reinforcement Learning: Successful
/// Examples Using Sparse Coarse Coding", and Sutton & Barto's book.
///
/// - State (float64): `[θ1, θ2, θ̇1, θ̇2]`; both links hang down at `θ = 0`.
/// - Observation: `[cos θ1, sin θ1, cos θ2, sin θ2, θ̇1, θ̇2]` (float32) in
///   `Box([-1, -1, -1, -1, -4π, -9π], [1, 1, 1, 1, 4π, 9π])`.
/// - Action: `Discrete(3)`, torque `[-1, 0, +1]` on the joint between the links.
/// - Dynamics: the "book" equations (`_dsdt`), integrated over `dt = 0.2` s by
///   Gymnasium's `rk4` (one classical Runge–Kutta step over `t = [0, dt]`, the torque
///   carried as a fifth state with zero derivative), then `wrap(θ, −π, π)` for the
///   angles and `bound(θ̇, ±MAX_VEL)` for the velocities, in that order.
/// - Reward: `−1` per step, `0` on the terminating step. Terminated when
///   `−cos θ1 − cos(θ1 + θ2) > 1` (the free end above the bar); `TimeLimit` truncates at 500.
/// - Reset: every state variable uniform in `[−0.1, 0.1)`, rounded to float32 as Gymnasium does.
///
/// Operation order matches Gymnasium's Python source so that trajectories agree
/// to rounding (the system is chaotic, so this matters over hundreds of steps).
public struct Acrobot: Environment, SimulatorStateSettable, SnapshotByValue {
    public static let id = "Acrobot-v1"

    public let dt = 0.2
    public let linkLength1 = 1.0
    public let linkLength2 = 1.0
    public let linkMass1 = 1.0
    public let linkMass2 = 1.0
    public let linkCOMPosition1 = 0.5
    public let linkCOMPosition2 = 0.5
    public let linkMOI = 1.0
    public let maxVelocity1 = 4 * Double.pi
    public let maxVelocity2 = 9 * Double.pi
    public let availableTorque: [Double] = [-1.0, 0.0, 1.0]

    /// `[θ1, θ2, θ̇1, θ̇2]`.
    public private(set) var state: (Double, Double, Double, Double) = (0, 0, 0, 0)
    var generator: SeededGenerator
    var phase = EpisodePhase.needsReset
    var observationBuffer = [Float](repeating: 0, count: 6)

    public init(seed: UInt64 = 0) {
        generator = SeededGenerator(seed: seed)
    }

    public var observationSpace: Space {
        let v1 = Float(maxVelocity1), v2 = Float(maxVelocity2)
        return .box(Box(low: [-1, -1, -1, -1, -v1, -v2], high: [1, 1, 1, 1, v1, v2]))
    }

    public var actionSpace: Space { .discrete(Discrete(3)) }

    public mutating func reset(seed: UInt64?) throws -> ResetResult {
        if let seed { generator = SeededGenerator(seed: seed) }
        func draw() -> Double { Double(Float(generator.uniform(-0.1, 0.1))) }
        let a = draw(), b = draw(), c = draw(), d = draw()
        state = (a, b, c, d)
        phase = .running
        return ResetResult(observation: writeObservation())
    }

    public mutating func step(_ action: Action) throws -> StepResult {
        let a = try discreteIndex(action, n: 3, environment: Self.id)
        guard phase == .running else { throw EnvironmentError.needsReset(environment: Self.id) }
        let torque = availableTorque[a]
        var ns = rk4(state, torque: torque)
        ns.0 = wrap(ns.0, -Double.pi, Double.pi)
        ns.1 = wrap(ns.1, -Double.pi, Double.pi)
        ns.2 = bound(ns.2, -maxVelocity1, maxVelocity1)
        ns.3 = bound(ns.3, -maxVelocity2, maxVelocity2)
        state = ns
        let terminated = -cos(ns.0) - cos(ns.1 + ns.0) > 1.0
        if terminated { phase = .needsReset }
        return StepResult(observation: writeObservation(), reward: terminated ? 0 : -1,
                          terminated: terminated, truncated: false, info: Info())
    }

    typealias State4 = (Double, Double, Double, Double)

    /// Gymnasium's `rk4(self._dsdt, s_augmented, [0, dt])`, keeping its operation order.
    func rk4(_ y0: State4, torque: Double) -> State4 {
        let dt = self.dt - 0
        let dt2 = dt / 2.0
        let k1 = dsdt(y0, torque)
        let k2 = dsdt((y0.0 + dt2 * k1.0, y0.1 + dt2 * k1.1, y0.2 + dt2 * k1.2, y0.3 + dt2 * k1.3), torque)
        let k3 = dsdt((y0.0 + dt2 * k2.0, y0.1 + dt2 * k2.1, y0.2 + dt2 * k2.2, y0.3 + dt2 * k2.3), torque)
        let k4 = dsdt((y0.0 + dt * k3.0, y0.1 + dt * k3.1, y0.2 + dt * k3.2, y0.3 + dt * k3.3), torque)
        let h = dt / 6.0
        return (y0.0 + h * (k1.0 + 2 * k2.0 + 2 * k3.0 + k4.0),
                y0.1 + h * (k1.1 + 2 * k2.1 + 2 * k3.1 + k4.1),
                y0.2 + h * (k1.2 + 2 * k2.2 + 2 * k3.2 + k4.2),
                y0.3 + h * (k1.3 + 2 * k2.3 + 2 * k3.3 + k4.3))
    }

    /// Gymnasium's `_dsdt` ("book" variant), term by term.
    func dsdt(_ s: State4, _ a: Double) -> State4 {
        let m1 = linkMass1, m2 = linkMass2, l1 = linkLength1
        let lc1 = linkCOMPosition1, lc2 = linkCOMPosition2
        let I1 = linkMOI, I2 = linkMOI
        let g = 9.8
        let theta1 = s.0, theta2 = s.1, dtheta1 = s.2, dtheta2 = s.3
        // Each distinct trig call once (the same calls on the same values as the source).
        let cosTheta2 = cos(theta2), sinTheta2 = sin(theta2)
        let d1 = m1 * (lc1 * lc1) + m2 * ((l1 * l1) + (lc2 * lc2) + 2 * l1 * lc2 * cosTheta2) + I1 + I2
        let d2 = m2 * ((lc2 * lc2) + l1 * lc2 * cosTheta2) + I2
        let phi2 = m2 * lc2 * g * cos(theta1 + theta2 - Double.pi / 2.0)
        let phi1 = -m2 * l1 * lc2 * (dtheta2 * dtheta2) * sinTheta2
            - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sinTheta2
            + (m1 * lc1 + m2 * l1) * g * cos(theta1 - Double.pi / 2)
            + phi2
        let ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * (dtheta1 * dtheta1) * sinTheta2 - phi2)
            / (m2 * (lc2 * lc2) + I2 - (d2 * d2) / d1)
        let ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
        return (dtheta1, dtheta2, ddtheta1, ddtheta2)
    }

    @inline(__always)
    mutating func writeObservation() -> [Float] {
        let s = state
        observationBuffer.withUnsafeMutableBufferPointer { o in
            o[0] = Float(cos(s.0)); o[1] = Float(sin(s.0)); o[2] = Float(cos(s.1)); o[3] = Float(sin(s.1))
            o[4] = Float(s.2); o[5] = Float(s.3)
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

/// Gymnasium's `wrap(x, m, M)`: shift `x` by `M − m` until it lies in `[m, M]`.
@inline(__always)
func wrap(_ x: Double, _ m: Double, _ M: Double) -> Double {
    let diff = M - m
    var x = x
    while x > M { x = x - diff }
    while x < m { x = x + diff }
    return x
}

/// Gymnasium's `bound(x, m, M)`: `min(max(x, m), M)`.
@inline(__always)
func bound(_ x: Double, _ m: Double, _ M: Double) -> Double { min(max(x, m), M) }
