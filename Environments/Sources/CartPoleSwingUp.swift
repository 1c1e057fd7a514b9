import Foundation
import SeededRandom

/// Cart-pole swing-up with dm_control's smooth reward (`cartpole.swingup` of the
/// DeepMind Control Suite, Tassa et al. 2018), simulated with the Gymnasium
/// cart-pole equations instead of MuJoCo.
///
/// - State: `[x, θ, ẋ, θ̇]`, `θ = 0` upright, `θ = π` hanging down.
/// - Observation (5, float32): `[x, cos θ, sin θ, ẋ, θ̇]` (dm_control's `position`
///   then `velocity`), in `Box([−3, −1, −1, −inf, −inf], [3, 1, 1, inf, inf])`.
/// - Action: `Box(−1, 1, [1])`; force `F = 10 · a` on the cart.
/// - Dynamics: `CartPole`'s equations (m_cart 1, m_pole 0.1, half-length 0.5, g 9.8),
///   semi-implicit Euler with `dt = 0.01`. The track ends at `|x| = 3`: the cart
///   stops there (velocity zeroed), it is not a termination.
/// - Reward ∈ [0, 1]: `upright · centered · small_control · small_velocity` with
///   `upright = (cos θ + 1)/2`, `centered = (1 + tol(x, margin 2))/2`,
///   `small_control = (4 + tol_quadratic(a, margin 1))/5`,
///   `small_velocity = (1 + tol(θ̇, margin 5))/2` (Gaussian `tol`, value 0.1 at the margin).
/// - Never terminates; the registry's `TimeLimit` truncates after 1000 steps (10 s, as dm_control).
/// - Reset (as dm_control): `x, ẋ, θ̇ ~ 0.01·N(0,1)`, `θ = π + 0.01·N(0,1)`.
public struct CartPoleSwingUp: Environment, SimulatorStateSettable, SnapshotByValue {
    public static let id = "CartPoleSwingUp-v0"

    public let gravity = 9.8
    public let masscart = 1.0
    public let masspole = 0.1
    public let length = 0.5
    public let forceMag = 10.0
    public let dt = 0.01
    public let trackLimit = 3.0
    var totalMass: Double { masspole + masscart }
    var polemassLength: Double { masspole * length }

    /// `[x, θ, ẋ, θ̇]`.
    public private(set) var state: (Double, Double, Double, Double) = (0, .pi, 0, 0)
    var generator: SeededGenerator
    var phase = EpisodePhase.needsReset
    var observationBuffer = [Float](repeating: 0, count: 5)

    public init(seed: UInt64 = 0) {
        generator = SeededGenerator(seed: seed)
    }

    public var observationSpace: Space {
        let x = Float(trackLimit)
        return .box(Box(low: [-x, -1, -1, -.infinity, -.infinity], high: [x, 1, 1, .infinity, .infinity]))
    }

    public var actionSpace: Space { .box(Box(low: -1, high: 1, shape: [1])) }

    public mutating func reset(seed: UInt64?) throws -> ResetResult {
        if let seed { generator = SeededGenerator(seed: seed) }
        state = (0.01 * generator.normal(), Double.pi + 0.01 * generator.normal(),
                 0.01 * generator.normal(), 0.01 * generator.normal())
        phase = .running
        return ResetResult(observation: writeObservation())
    }

    public mutating func step(_ action: Action) throws -> StepResult {
        let a = try scalarAction(action, low: -1, high: 1, environment: Self.id)
        guard phase == .running else { throw EnvironmentError.needsReset(environment: Self.id) }
        var (x, theta, xDot, thetaDot) = state
        let force = forceMag * Double(a)
        let c = cos(theta), s = sin(theta)
        let temp = (force + polemassLength * thetaDot * thetaDot * s) / totalMass
        let thetaacc = (gravity * s - c * temp) / (length * (4.0 / 3.0 - masspole * c * c / totalMass))
        let xacc = temp - polemassLength * thetaacc * c / totalMass
        xDot += dt * xacc
        x += dt * xDot
        thetaDot += dt * thetaacc
        theta += dt * thetaDot
        if x > trackLimit { x = trackLimit; xDot = 0 }
        if x < -trackLimit { x = -trackLimit; xDot = 0 }
        // Keep θ in (−π, π] so it never loses precision over long episodes.
        if theta > .pi { theta -= 2 * .pi } else if theta <= -.pi { theta += 2 * .pi }
        state = (x, theta, xDot, thetaDot)
        return StepResult(observation: writeObservation(), reward: Self.reward(x: x, theta: theta, thetaDot: thetaDot, action: Double(a)),
                          terminated: false, truncated: false, info: Info())
    }

    /// dm_control's smooth swing-up reward.
    public static func reward(x: Double, theta: Double, thetaDot: Double, action: Double) -> Double {
        let upright = (cos(theta) + 1) / 2
        let centered = (1 + Tolerance.gaussian(x, margin: 2)) / 2
        let smallControl = (4 + Tolerance.quadratic(action, margin: 1)) / 5
        let smallVelocity = (1 + Tolerance.gaussian(thetaDot, margin: 5)) / 2
        return upright * smallControl * smallVelocity * centered
    }

    @inline(__always)
    mutating func writeObservation() -> [Float] {
        let s = state
        observationBuffer.withUnsafeMutableBufferPointer { o in
            o[0] = Float(s.0); o[1] = Float(cos(s.1)); o[2] = Float(sin(s.1)); o[3] = Float(s.2); o[4] = Float(s.3)
        }
        return observationBuffer
    }

    public var simulatorState: [Double] { [state.0, state.1, state.2, state.3] }

    @discardableResult
    public mutating func setSimulatorState(_ s: [Double]) throws -> [Float] {
        try checkStateVector(s, count: 4, environment: Self.id)
        guard abs(s[0]) <= trackLimit else {
            throw EnvironmentError.invalid("\(Self.id): cart position \(s[0]) is off the track [-\(trackLimit), \(trackLimit)]")
        }
        state = (s[0], s[1], s[2], s[3])
        phase = .running
        return writeObservation()
    }
}
