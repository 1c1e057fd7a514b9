import Foundation
import SeededRandom

/// Pendulum-v1, faithful to Gymnasium 1.4 (`gymnasium.envs.classic_control.pendulum`):
/// swing a frictionless pendulum up and keep it upright with a bounded torque.
///
/// - State (float64): `[θ, θ̇]`, `θ = 0` upright.
/// - Observation: `[cos θ, sin θ, θ̇]` as float32 in `Box([-1, -1, -8], [1, 1, 8])`.
/// - Action: `Box(-2, 2, [1])`, the torque `u` (float32). An action outside the box
///   is an error (Gymnasium clips it silently; wrap in `ClipAction` for that).
/// - Dynamics (one explicit step of `dt = 0.05`):
///   `θ̇' = clip(θ̇ + (3g/(2l) sin θ + 3/(m l²) u) dt, −8, 8)`, `θ' = θ + θ̇' dt`.
/// - Reward: `−(normalize(θ)² + 0.1 θ̇² + 0.001 u²)`, `normalize(θ) ∈ [−π, π)`.
/// - Never terminates; `TimeLimit` truncates after 200 steps (as `gym.make`).
/// - Reset: `θ ~ U[−π, π)`, `θ̇ ~ U[−1, 1)`.
///
/// Precision follows Gymnasium under NumPy 2 (NEP 50): the state is float64, but the
/// terms involving the float32 action (`3/(m l²)·u`, `0.001·u²`) are float32 products.
public struct Pendulum: Environment, SimulatorStateSettable, SnapshotByValue {
    public static let id = "Pendulum-v1"

    public let maxSpeed = 8.0
    public let maxTorque = 2.0
    public var dt = 0.05
    /// Gravitational acceleration (Gymnasium's `g`, default 10).
    public var g: Double
    public var m = 1.0
    public var l = 1.0

    /// `[θ, θ̇]`.
    public private(set) var state: (Double, Double) = (0, 0)
    var generator: SeededGenerator
    var phase = EpisodePhase.needsReset
    var observationBuffer = [Float](repeating: 0, count: 3)
    /// `sin θ` of the current state, computed for the observation and reused by the
    /// next step (the same call on the same value, so results are unchanged).
    var sinTheta = 0.0

    public init(g: Double = 10.0, seed: UInt64 = 0) {
        self.g = g
        generator = SeededGenerator(seed: seed)
    }

    public var observationSpace: Space {
        .box(Box(low: [-1, -1, -Float(maxSpeed)], high: [1, 1, Float(maxSpeed)]))
    }

    public var actionSpace: Space { .box(Box(low: -Float(maxTorque), high: Float(maxTorque), shape: [1])) }

    public mutating func reset(seed: UInt64?) throws -> ResetResult {
        if let seed { generator = SeededGenerator(seed: seed) }
        state = (generator.uniform(-Double.pi, Double.pi), generator.uniform(-1.0, 1.0))
        phase = .running
        return ResetResult(observation: writeObservation())
    }

    public mutating func step(_ action: Action) throws -> StepResult {
        let u = try scalarAction(action, low: -Float(maxTorque), high: Float(maxTorque), environment: Self.id)
        guard phase == .running else { throw EnvironmentError.needsReset(environment: Self.id) }
        let (th, thdot) = state
        let n = angleNormalize(th)
        // `0.001 * (u**2)` and `3.0 / (m * l**2) * u` are float32 in NumPy 2.
        let controlCost = Double(Float(0.001) * (u * u))
        let costs = n * n + 0.1 * (thdot * thdot) + controlCost
        let torqueTerm = Double(Float(3.0 / (m * (l * l))) * u)
        var newthdot = thdot + (3 * g / (2 * l) * sinTheta + torqueTerm) * dt
        newthdot = min(max(newthdot, -maxSpeed), maxSpeed)
        let newth = th + newthdot * dt
        state = (newth, newthdot)
        return StepResult(observation: writeObservation(), reward: -costs, terminated: false, truncated: false, info: Info())
    }

    @inline(__always)
    mutating func writeObservation() -> [Float] {
        let s = state
        sinTheta = sin(s.0)
        let sinTheta = self.sinTheta
        observationBuffer.withUnsafeMutableBufferPointer { o in
            o[0] = Float(cos(s.0)); o[1] = Float(sinTheta); o[2] = Float(s.1)
        }
        return observationBuffer
    }

    public var simulatorState: [Double] { [state.0, state.1] }

    @discardableResult
    public mutating func setSimulatorState(_ s: [Double]) throws -> [Float] {
        try checkStateVector(s, count: 2, environment: Self.id)
        state = (s[0], s[1])
        phase = .running
        return writeObservation()
    }

}

/// `((x + π) mod 2π) − π` with Python's floored modulo (NumPy's `np.mod`).
@inline(__always)
func angleNormalize(_ x: Double) -> Double {
    pythonMod(x + Double.pi, 2 * Double.pi) - Double.pi
}

/// Python/NumPy floored modulo for doubles (`npy_divmod`): the result has the sign of `b`.
@inline(__always)
func pythonMod(_ a: Double, _ b: Double) -> Double {
    // Fast paths with identical results: fmod(a, b) = a for 0 < a < b, and for
    // −b ≤ a < 0 the floored result is a + b (the general path computes exactly that).
    if b > 0 {
        if a > 0 && a < b { return a }
        if a < 0 && a >= -b { return a + b }
    }
    var r = fmod(a, b)
    if r != 0 {
        if (b < 0) != (r < 0) { r += b }
    } else {
        r = copysign(0, b)
    }
    return r
}
