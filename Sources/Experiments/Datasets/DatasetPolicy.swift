import Environments
import Learners
import SeededRandom

/// A policy that acts while `DatasetCollector` records a dataset: one action
/// per observation, with a one-line `summary` stored in the dataset's
/// metadata (`policy`). Implementations own their generator, so a collection
/// is a function of its seed.
protocol DatasetPolicy {
    /// What acted, in words (`random: uniform over Discrete(2)`).
    var summary: String { get }
    /// The action for `observation` (a flat vector of the observation space's size).
    mutating func action(for observation: [Float]) -> Action
}

/// Uniformly random actions over the action space (D4RL's `random` level):
/// `Space.sample`, uniform in a bounded Box.
struct RandomDatasetPolicy: DatasetPolicy {
    let space: Space
    var generator: SeededGenerator

    var summary: String { "random: uniform over \(space)" }

    mutating func action(for observation: [Float]) -> Action { space.sample(using: &generator) }
}

/// A trained SAC actor from a run's checkpoint: tanh(μ) scaled to the bounds
/// (deterministic, as the run's evaluation plays) or a sample of the squashed
/// Gaussian (stochastic, as the run trained). The action buffer is reused.
struct SACDatasetPolicy: DatasetPolicy {
    let learner: SACLearner
    let deterministic: Bool
    let summary: String
    var generator: SeededGenerator
    var buffer: [Float]

    init(learner: SACLearner, deterministic: Bool, summary: String, generator: SeededGenerator) {
        self.learner = learner
        self.deterministic = deterministic
        self.summary = summary
        self.generator = generator
        buffer = [Float](repeating: 0, count: learner.actionSize)
    }

    mutating func action(for observation: [Float]) -> Action {
        learner.act(observations: observation, rows: 1, deterministic: deterministic, into: &buffer, using: &generator)
        return .continuous(buffer)
    }
}

/// A trained DQN from a run's checkpoint: the greedy action (deterministic),
/// or ε-greedy with the run's final exploration rate `end_e` (stochastic).
struct DQNDatasetPolicy: DatasetPolicy {
    let learner: DQNLearner
    /// The first action index of the Discrete space (actions are `start + greedy index`).
    let start: Int
    let epsilon: Double
    let summary: String
    var generator: SeededGenerator

    mutating func action(for observation: [Float]) -> Action {
        if epsilon > 0, generator.uniformDouble() < epsilon {
            return .discrete(start + Int(generator.next(upperBound: UInt64(learner.actionCount))))
        }
        return .discrete(start + learner.greedyAction(observation: observation))
    }
}

/// `PointMazeWaypointController` (D4RL maze2d's data source) with Gaussian
/// action noise of standard deviation `noise` per component, clipped to
/// [−1, 1] (D4RL's noisy maze2d collection adds N(0, 0.5²) the same way).
struct WaypointDatasetPolicy: DatasetPolicy {
    let controller: PointMazeWaypointController
    let noise: Double
    var generator: SeededGenerator

    var summary: String { noise > 0 ? "waypoint controller, action noise N(0, \(noise)²) clipped to [-1, 1]" : "waypoint controller" }

    mutating func action(for observation: [Float]) -> Action {
        var action = controller.action(for: observation)
        if noise > 0 {
            for i in action.indices {
                let z: Double = generator.normal()
                action[i] = Float(min(max(Double(action[i]) + noise * z, -1), 1))
            }
        }
        return .continuous(action)
    }
}
