import SeededRandom
import WorldModels

/// The MPC objective on a world model (mbrl-lib's
/// `ModelEnv.evaluate_action_sequences`): every candidate sequence is rolled
/// out from the current state with `particles` particles, and its value is the
/// particles' mean total reward:
///
///     V(a_{0:H}) = 1/R Σ_p Σ_t r_t^{(p)} · 1[no termination before t]
///
/// Rewards come from the model's reward head or from a known `RewardFunction`.
/// All `candidates × particles` rows are imagined in one batched model call per
/// step (rows particle-major, see `WorldModel`). Non-finite values become
/// `-1e10` (and are counted in `lastEvaluation`). Buffers are reused across calls.
public struct ModelObjective<Model: WorldModel>: TrajectoryObjective {
    public let model: Model
    public let particles: Int
    public let rewardFunction: (any RewardFunction)?
    /// The one-row state to plan from (set it before each `plan` call).
    public var start: Model.State
    public var generator: SeededGenerator
    public var actionSize: Int { model.actionSize }
    /// Candidates of the last `evaluate` call, and how many of their values were NaN or infinite
    /// (a diverged model: every one non-finite means the plan is noise).
    public private(set) var lastEvaluation = (candidates: 0, nonFinite: 0)

    private var prediction: WorldModelPrediction
    private var rowActions: [Float] = []
    private var observations: [Float] = []
    private var rewards: [Float] = []
    private var terminatedNow: [Bool] = []
    private var alive: [Bool] = []
    private var totals: [Float] = []

    /// - `start`: the state to plan from, for one row;
    /// - `observation`: the current observation (needed by a known reward function);
    /// - `rewardFunction`: nil to use the model's predicted rewards and terminations.
    public init(model: Model, start: Model.State, observation: [Float], particles: Int,
                rewardFunction: (any RewardFunction)?, generator: SeededGenerator) {
        precondition(particles > 0, "ModelObjective: particles must be positive")
        self.model = model
        self.start = start
        self.particles = particles
        self.rewardFunction = rewardFunction
        self.generator = generator
        self.prediction = WorldModelPrediction(observationSize: model.observationSize)
        self.currentObservation = observation
    }

    /// The current real observation (replicated to every row at the start of a rollout).
    public var currentObservation: [Float]

    public mutating func evaluate(actions: UnsafeBufferPointer<Float>, horizon: Int, values: UnsafeMutableBufferPointer<Float>) {
        let candidates = values.count, a = model.actionSize, o = model.observationSize
        let rows = candidates * particles
        var state = model.replicated(start, candidates: candidates, particles: particles)
        resize(rows: rows, observationSize: o)
        for r in 0..<rows {
            alive[r] = true
            totals[r] = 0
            for i in 0..<o { observations[r * o + i] = currentObservation[i] }
        }
        for t in 0..<horizon {
            // MARK: the step-t action of each row's candidate
            for r in 0..<rows {
                let c = r % candidates
                for i in 0..<a { rowActions[r * a + i] = actions[(c * horizon + t) * a + i] }
            }
            // MARK: imagine one step for every row
            rowActions.withUnsafeBufferPointer { model.imagine(&state, actions: $0, into: &prediction, using: &generator) }
            if let rewardFunction {
                observations.withUnsafeBufferPointer { obs in
                    rowActions.withUnsafeBufferPointer { act in
                        prediction.nextObservations.withUnsafeBufferPointer { next in
                            rewards.withUnsafeMutableBufferPointer { rew in
                                terminatedNow.withUnsafeMutableBufferPointer { term in
                                    rewardFunction.evaluate(observations: obs, actions: act, nextObservations: next,
                                                            rows: rows, rewards: rew, terminated: term)
                                }
                            }
                        }
                    }
                }
            } else {
                precondition(prediction.rewards.count == rows, "ModelObjective: the model predicts no rewards; give a RewardFunction")
                for r in 0..<rows {
                    rewards[r] = prediction.rewards[r]
                    terminatedNow[r] = prediction.terminated.isEmpty ? false : prediction.terminated[r]
                }
            }
            // MARK: accumulate until termination
            for r in 0..<rows where alive[r] {
                totals[r] += rewards[r]
                if terminatedNow[r] { alive[r] = false }
            }
            swap(&observations, &prediction.nextObservations)
        }
        var nonFinite = 0
        for c in 0..<candidates {
            var sum: Float = 0
            for p in 0..<particles { sum += totals[p * candidates + c] }
            let value = sum / Float(particles)
            if !value.isFinite { nonFinite += 1 }
            values[c] = value.isFinite ? value : -1e10
        }
        lastEvaluation = (candidates, nonFinite)
    }

    private mutating func resize(rows: Int, observationSize o: Int) {
        guard alive.count != rows else { return }
        rowActions = [Float](repeating: 0, count: rows * model.actionSize)
        observations = [Float](repeating: 0, count: rows * o)
        rewards = [Float](repeating: 0, count: rows)
        terminatedNow = [Bool](repeating: false, count: rows)
        alive = [Bool](repeating: true, count: rows)
        totals = [Float](repeating: 0, count: rows)
    }
}
