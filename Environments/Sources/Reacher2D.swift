import Foundation
import SeededRandom

/// A planar two-link arm reaching a random target, with torque control — a
/// MuJoCo-free take on Gymnasium's `Reacher` (same observation layout and reward
/// shape, own rigid-body dynamics).
///
/// - Arm: two uniform rods in the horizontal plane (no gravity), lengths
///   `l1 = l2 = 1`, masses `1`, joint viscous damping `b = 0.5`. With
///   `q = (q1, q2)`, the manipulator equation `M(q) q̈ + C(q, q̇) + b q̇ = τ`,
///   `M11 = I1 + I2 + m1 c1² + m2 (l1² + c2² + 2 l1 c2 cos q2)`, `M12 = I2 + m2 (c2² + l1 c2 cos q2)`,
///   `M22 = I2 + m2 c2²`, `C = (−h q̇2 (2 q̇1 + q̇2), h q̇1²)`, `h = m2 l1 c2 sin q2`,
///   `c_i = l_i/2`, `I_i = m_i l_i²/12`; integrated by semi-implicit Euler, 5 substeps of 0.01 s per step.
/// - Action: `Box(−1, 1, [2])`, joint torques `τ = a`.
/// - Observation (10, float32): `[cos q1, cos q2, sin q1, sin q2, target_x, target_y,
///   q̇1, q̇2, tip_x − target_x, tip_y − target_y]` (Gymnasium Reacher's order, without its z).
/// - Reward: `−‖tip − target‖ − controlCost · ‖a‖²` (`controlCost` = 0.1).
/// - Never terminates; the registry's `TimeLimit` truncates after 100 steps (5 s).
/// - Reset: `q ~ U[−π, π)²`, `q̇ ~ U[−0.1, 0.1)²`, target uniform in the disc of radius 1.8
///   (reachable: the arm spans radius 2).
public struct Reacher2D: Environment, SimulatorStateSettable, SnapshotByValue {
    public static let id = "Reacher2D-v0"

    public let l1 = 1.0, l2 = 1.0, m1 = 1.0, m2 = 1.0
    public let damping = 0.5
    public let substeps = 5
    public let substepDuration = 0.01
    public var controlCost: Double
    public let targetRadius = 1.8

    /// `[q1, q2, q̇1, q̇2, target_x, target_y]`.
    public private(set) var state: [Double] = [0, 0, 0, 0, 1, 0]
    var generator: SeededGenerator
    var phase = EpisodePhase.needsReset
    var observationBuffer = [Float](repeating: 0, count: 10)
    let actionBox = Box(low: -1, high: 1, shape: [2])

    public init(controlCost: Double = 0.1, seed: UInt64 = 0) {
        self.controlCost = controlCost
        generator = SeededGenerator(seed: seed)
    }

    public var observationSpace: Space {
        let inf = Float.infinity, r = Float(l1 + l2)
        return .box(Box(low: [-1, -1, -1, -1, -r, -r, -inf, -inf, -2 * r, -2 * r],
                        high: [1, 1, 1, 1, r, r, inf, inf, 2 * r, 2 * r]))
    }

    public var actionSpace: Space { .box(actionBox) }

    /// The fingertip position for joint angles `q1`, `q2`.
    public func fingertip(_ q1: Double, _ q2: Double) -> (x: Double, y: Double) {
        (l1 * cos(q1) + l2 * cos(q1 + q2), l1 * sin(q1) + l2 * sin(q1 + q2))
    }

    public mutating func reset(seed: UInt64?) throws -> ResetResult {
        if let seed { generator = SeededGenerator(seed: seed) }
        let q1 = generator.uniform(-Double.pi, Double.pi), q2 = generator.uniform(-Double.pi, Double.pi)
        let v1 = generator.uniform(-0.1, 0.1), v2 = generator.uniform(-0.1, 0.1)
        var tx: Double, ty: Double
        repeat {
            tx = generator.uniform(-targetRadius, targetRadius)
            ty = generator.uniform(-targetRadius, targetRadius)
        } while tx * tx + ty * ty > targetRadius * targetRadius
        state = [q1, q2, v1, v2, tx, ty]
        phase = .running
        return ResetResult(observation: writeObservation())
    }

    public mutating func step(_ action: Action) throws -> StepResult {
        let a = try boxVector(action, box: actionBox, environment: Self.id)
        guard phase == .running else { throw EnvironmentError.needsReset(environment: Self.id) }
        let tau1 = Double(a[0]), tau2 = Double(a[1])
        var q1 = state[0], q2 = state[1], v1 = state[2], v2 = state[3]
        let c1 = l1 / 2, c2 = l2 / 2, I1 = m1 * l1 * l1 / 12, I2 = m2 * l2 * l2 / 12
        for _ in 0..<substeps {
            let cq2 = cos(q2), h = m2 * l1 * c2 * sin(q2)
            let M11 = I1 + I2 + m1 * c1 * c1 + m2 * (l1 * l1 + c2 * c2 + 2 * l1 * c2 * cq2)
            let M12 = I2 + m2 * (c2 * c2 + l1 * c2 * cq2)
            let M22 = I2 + m2 * c2 * c2
            let r1 = tau1 - damping * v1 + h * v2 * (2 * v1 + v2)
            let r2 = tau2 - damping * v2 - h * v1 * v1
            let det = M11 * M22 - M12 * M12
            let acc1 = (M22 * r1 - M12 * r2) / det
            let acc2 = (M11 * r2 - M12 * r1) / det
            v1 += substepDuration * acc1
            v2 += substepDuration * acc2
            q1 += substepDuration * v1
            q2 += substepDuration * v2
        }
        q1 = remainder(q1, 2 * Double.pi)
        q2 = remainder(q2, 2 * Double.pi)
        state[0] = q1; state[1] = q2; state[2] = v1; state[3] = v2
        let tip = fingertip(q1, q2)
        let dx = tip.x - state[4], dy = tip.y - state[5]
        let reward = -(dx * dx + dy * dy).squareRoot() - controlCost * (tau1 * tau1 + tau2 * tau2)
        return StepResult(observation: writeObservation(), reward: reward, terminated: false, truncated: false, info: Info())
    }

    mutating func writeObservation() -> [Float] {
        let s = state
        let tip = fingertip(s[0], s[1])
        observationBuffer.withUnsafeMutableBufferPointer { o in
            o[0] = Float(cos(s[0])); o[1] = Float(cos(s[1])); o[2] = Float(sin(s[0])); o[3] = Float(sin(s[1]))
            o[4] = Float(s[4]); o[5] = Float(s[5]); o[6] = Float(s[2]); o[7] = Float(s[3])
            o[8] = Float(tip.x - s[4]); o[9] = Float(tip.y - s[5])
        }
        return observationBuffer
    }

    public var simulatorState: [Double] { state }

    /// `[q1, q2, q̇1, q̇2, target_x, target_y]`; the target must lie within the arm's reach (radius 2).
    @discardableResult
    public mutating func setSimulatorState(_ s: [Double]) throws -> [Float] {
        try checkStateVector(s, count: 6, environment: Self.id)
        guard (s[4] * s[4] + s[5] * s[5]).squareRoot() <= l1 + l2 else {
            throw EnvironmentError.invalid("\(Self.id): target (\(s[4]), \(s[5])) is out of reach (radius \(l1 + l2))")
        }
        state = s
        phase = .running
        return writeObservation()
    }
}
