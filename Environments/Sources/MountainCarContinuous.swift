import Foundation
import SeededRandom

/// MountainCarContinuous-v0, faithful to Gymnasium 1.4
/// (`gymnasium.envs.classic_control.continuous_mountain_car`).
///
/// - State: `[position, velocity]`; observation: the same as float32 in
///   `Box([-1.2, -0.07], [0.6, 0.07])`.
/// - Action: `Box(-1, 1, [1])`, the force coefficient `a`.
/// - Dynamics: `v' = clip(v + a·0.0015 − 0.0025 cos(3p), ±0.07)`, `p' = clip(p + v', −1.2, 0.6)`;
///   at the left wall a negative velocity becomes 0.
/// - Reward: `100` on reaching the goal, minus `0.1 a²` every step.
///   Terminated when `p ≥ 0.45` and `v ≥ goal_velocity`; `TimeLimit` truncates after 999 steps.
/// - Reset: `p ~ U[−0.6, −0.4)`, `v = 0`.
///
/// Precision follows Gymnasium under NumPy 2 (NEP 50): reset stores a float64 state,
/// `step` stores a float32 state, and arithmetic with the float32 state or action
/// rounds to float32 after each operation. This type reproduces that, so the first
/// step after `reset` (or `setSimulatorState`) is computed from float64 values and
/// later steps from float32 values, exactly as Gymnasium does.
public struct MountainCarContinuous: Environment, SimulatorStateSettable, SnapshotByValue {
    public static let id = "MountainCarContinuous-v0"

    public let minAction: Float = -1
    public let maxAction: Float = 1
    public let minPosition = -1.2
    public let maxPosition = 0.6
    public let maxSpeed = 0.07
    public let goalPosition = 0.45
    public var goalVelocity: Double
    public let power = 0.0015

    /// `[position, velocity]`.
    public private(set) var state: (Double, Double) = (0, 0)
    /// Whether `state` holds float32 values (after a step) rather than float64 (after reset).
    var stateIsFloat32 = false
    var generator: SeededGenerator
    var phase = EpisodePhase.needsReset
    var observationBuffer = [Float](repeating: 0, count: 2)

    public init(goalVelocity: Double = 0, seed: UInt64 = 0) {
        self.goalVelocity = goalVelocity
        generator = SeededGenerator(seed: seed)
    }

    public var observationSpace: Space {
        .box(Box(low: [Float(minPosition), -Float(maxSpeed)], high: [Float(maxPosition), Float(maxSpeed)]))
    }

    public var actionSpace: Space { .box(Box(low: minAction, high: maxAction, shape: [1])) }

    public mutating func reset(seed: UInt64?) throws -> ResetResult {
        if let seed { generator = SeededGenerator(seed: seed) }
        state = (generator.uniform(-0.6, -0.4), 0)
        stateIsFloat32 = false
        phase = .running
        return ResetResult(observation: writeObservation())
    }

    public mutating func step(_ action: Action) throws -> StepResult {
        let a = try scalarAction(action, low: minAction, high: maxAction, environment: Self.id)
        guard phase == .running else { throw EnvironmentError.needsReset(environment: Self.id) }
        let force = min(max(a, minAction), maxAction)
        // `force * power - 0.0025 * cos(3 * position)` is a float32 expression (NEP 50).
        let threeP = stateIsFloat32 ? Double(3 * Float(state.0)) : 3 * state.0
        let increment = force * Float(power) - Float(0.0025 * cos(threeP))
        var position: Double, velocity: Double
        if stateIsFloat32 {
            var p = Float(state.0), v = Float(state.1)
            v += increment
            if v > Float(maxSpeed) { v = Float(maxSpeed) }
            if v < -Float(maxSpeed) { v = -Float(maxSpeed) }
            p += v
            if p > Float(maxPosition) { p = Float(maxPosition) }
            if p < Float(minPosition) { p = Float(minPosition) }
            if p == Float(minPosition) && v < 0 { v = 0 }
            position = Double(p); velocity = Double(v)
        } else {
            position = state.0; velocity = state.1
            velocity += Double(increment)
            if velocity > maxSpeed { velocity = maxSpeed }
            if velocity < -maxSpeed { velocity = -maxSpeed }
            position += velocity
            if position > maxPosition { position = maxPosition }
            if position < minPosition { position = minPosition }
            if position == minPosition && velocity < 0 { velocity = 0 }
        }
        let terminated = position >= goalPosition && velocity >= goalVelocity
        var reward = terminated ? 100.0 : 0.0
        reward -= Double(a) * Double(a) * 0.1
        state = (Double(Float(position)), Double(Float(velocity)))
        stateIsFloat32 = true
        if terminated { phase = .needsReset }
        return StepResult(observation: writeObservation(), reward: reward, terminated: terminated, truncated: false, info: Info())
    }

    @inline(__always)
    mutating func writeObservation() -> [Float] {
        let s = state
        observationBuffer.withUnsafeMutableBufferPointer { o in o[0] = Float(s.0); o[1] = Float(s.1) }
        return observationBuffer
    }

    public var simulatorState: [Double] { [state.0, state.1] }

    /// Sets a float64 state (as `reset` stores it).
    @discardableResult
    public mutating func setSimulatorState(_ s: [Double]) throws -> [Float] {
        try checkStateVector(s, count: 2, environment: Self.id)
        state = (s[0], s[1])
        stateIsFloat32 = false
        phase = .running
        return writeObservation()
    }
}
