import Foundation
import SeededRandom

/// MountainCar-v0, faithful to Gymnasium 1.4 (`gymnasium.envs.classic_control.mountain_car`),
/// after Moore (1990), "Efficient Memory-based Learning for Robot Control".
///
/// - State (float64): `[position, velocity]`; observation: the same as float32 in
///   `Box([-1.2, -0.07], [0.6, 0.07])`.
/// - Action: `Discrete(3)`: accelerate left, don't accelerate, accelerate right.
/// - Dynamics: `v' = clip(v + (a − 1)·0.001 − 0.0025 cos(3p), −0.07, 0.07)`,
///   `p' = clip(p + v', −1.2, 0.6)`; at the left wall a negative velocity becomes 0.
/// - Reward: `−1` per step. Terminated when `p ≥ 0.5` and `v ≥ goal_velocity` (0).
///   `TimeLimit` truncates after 200 steps.
/// - Reset: `p ~ U[−0.6, −0.4)`, `v = 0`.
public struct MountainCar: Environment, SimulatorStateSettable, SnapshotByValue {
    public static let id = "MountainCar-v0"

    public let minPosition = -1.2
    public let maxPosition = 0.6
    public let maxSpeed = 0.07
    public let goalPosition = 0.5
    public var goalVelocity: Double
    public let force = 0.001
    public let gravity = 0.0025

    /// `[position, velocity]`.
    public private(set) var state: (Double, Double) = (0, 0)
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

    public var actionSpace: Space { .discrete(Discrete(3)) }

    public mutating func reset(seed: UInt64?) throws -> ResetResult {
        if let seed { generator = SeededGenerator(seed: seed) }
        state = (generator.uniform(-0.6, -0.4), 0)
        phase = .running
        return ResetResult(observation: writeObservation())
    }

    public mutating func step(_ action: Action) throws -> StepResult {
        let a = try discreteIndex(action, n: 3, environment: Self.id)
        guard phase == .running else { throw EnvironmentError.needsReset(environment: Self.id) }
        var (position, velocity) = state
        velocity += Double(a - 1) * force + cos(3 * position) * (-gravity)
        velocity = min(max(velocity, -maxSpeed), maxSpeed)
        position += velocity
        position = min(max(position, minPosition), maxPosition)
        if position == minPosition && velocity < 0 { velocity = 0 }
        let terminated = position >= goalPosition && velocity >= goalVelocity
        state = (position, velocity)
        if terminated { phase = .needsReset }
        return StepResult(observation: writeObservation(), reward: -1, terminated: terminated, truncated: false, info: Info())
    }

    @inline(__always)
    mutating func writeObservation() -> [Float] {
        let s = state
        observationBuffer.withUnsafeMutableBufferPointer { o in o[0] = Float(s.0); o[1] = Float(s.1) }
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
