import Environments
import SeededRandom

/// A point mass on a line, pushed by a bounded force towards the origin: the
/// smallest continuous-control task, as a user writes one.
///
/// State `(x, v)`, start `x ~ U(-1, 1)`, `v = 0`; action `a ∈ [-1, 1]`:
///
///     v ← v + 0.1·a,   x ← x + 0.1·v,   reward = −x² − 0.01·a²
///
/// Observations are unbounded (`Box` with infinite bounds); the episode is
/// truncated after `maxEpisodeSteps` steps and never terminates. Snapshots
/// come from `SnapshotByValue` (the state is the struct's value), so oracle
/// MPC works on it.
public struct PointMass: SnapshotByValue {
    public static let id = "PointMass-v0"
    public var maxEpisodeSteps: Int
    var x = 0.0, v = 0.0, steps = 0
    var running = false
    var generator = SeededGenerator(seed: 0)

    public init(maxEpisodeSteps: Int = 100) { self.maxEpisodeSteps = maxEpisodeSteps }

    public var observationSpace: Space { .box(Box(low: [-.infinity, -.infinity], high: [.infinity, .infinity])) }
    public var actionSpace: Space { .box(Box(low: [-1], high: [1])) }

    public mutating func reset(seed: UInt64?) throws -> ResetResult {
        if let seed { generator = SeededGenerator(seed: seed) }
        (x, v, steps, running) = (generator.uniform(-1.0, 1.0), 0, 0, true)
        return ResetResult(observation: [Float(x), Float(v)])
    }

    public mutating func step(_ action: Action) throws -> StepResult {
        // Reject what is outside the space (wrong kind, length, bounds or NaN) before anything changes.
        guard case .continuous(let force) = action, actionSpace.contains(action) else {
            throw EnvironmentError.actionOutOfSpace(environment: Self.id, action: action.description, space: actionSpace.description)
        }
        guard running else { throw EnvironmentError.needsReset(environment: Self.id) }
        let a = Double(force[0])
        v += 0.1 * a
        x += 0.1 * v
        steps += 1
        running = steps < maxEpisodeSteps
        return StepResult(observation: [Float(x), Float(v)], reward: -(x * x) - 0.01 * a * a,
                          terminated: false, truncated: !running)
    }
}
