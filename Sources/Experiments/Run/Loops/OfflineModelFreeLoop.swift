import Environments
import Foundation
import Learners
import NN
import Replay
import SeededRandom

/// What the dataset-only loop needs of a learner (behaviour cloning, TD3+BC).
protocol OfflinePolicyLearner: AnyObject {
    var actionSize: Int { get }
    var updates: Int { get }
    func fitObservationNormalizer(_ observations: [Float]) throws
    /// One update on `batch`; returns its metrics by name.
    func learn(on batch: TransitionBatch, using generator: inout SeededGenerator) -> [String: Double]
    func act(observations: [Float], rows: Int, into actions: inout [Float])
    func checkpoint() -> SafeTensorsFile
    func load(checkpoint: SafeTensorsFile) throws
}

extension BCLearner: OfflinePolicyLearner {
    func learn(on batch: TransitionBatch, using generator: inout SeededGenerator) -> [String: Double] {
        ["train/bc_loss": Double(update(on: batch).loss)]
    }
}

extension TD3BCLearner: OfflinePolicyLearner {
    func learn(on batch: TransitionBatch, using generator: inout SeededGenerator) -> [String: Double] {
        let metrics = update(on: batch, using: &generator)
        var values = ["train/critic_loss": Double(metrics.criticLoss), "train/q_mean": Double(metrics.meanQ)]
        if let actorLoss = metrics.actorLoss { values["train/actor_loss"] = Double(actorLoss) }
        if let bc = metrics.behaviourCloningLoss { values["train/bc_loss"] = Double(bc) }
        if let lambda = metrics.lambda { values["train/lambda"] = Double(lambda) }
        return values
    }
}

/// Offline RL from the dataset alone (`offline:`): behaviour cloning
/// (`algorithm: bc`) or TD3+BC (Fujimoto & Gu 2021; `algorithm: td3_bc`),
/// the loop of CORL's `any_percent_bc.py` / `td3_bc.py`: observations
/// standardised with the dataset's statistics, then `offline.gradient_steps`
/// updates on uniformly sampled batches. The environment is only stepped to
/// evaluate (`eval.every` gradient steps, also logged as
/// `eval/normalized_score`); the metrics' `step` counts gradient steps.
/// Checkpoints every `output.checkpoint_every` gradient steps.
struct OfflineModelFreeLoop: ExperimentLoop {
    struct State: Codable {
        var generator: SeededGenerator
    }

    let runner: ExperimentRunner
    var config: ExperimentConfig { runner.config }
    let env: any Environment
    let dataset: OfflineDataset
    let learner: any OfflinePolicyLearner
    let batchSize: Int
    let generator: SeededGenerator
    var evaluationMaxSteps: Int { .max }

    // MARK: - Setup: environment (for its spaces and evaluation), dataset, learner
    init(runner: ExperimentRunner, options: RunOptions) throws {
        self.runner = runner
        let config = runner.config
        env = try runner.makeEnvironment()
        let box = try runner.boundedBoxActions(of: env)
        dataset = try runner.loadOfflineDataset(for: env)
        var generator = SeededGenerator(seed: UInt64(config.seed))
        let observationSize = env.observationSpace.flatSize
        if config.algorithm == .bc {
            learner = BCLearner(observationSize: observationSize, actionLow: box.low, actionHigh: box.high,
                                configuration: config.bc.learnerConfiguration(threads: options.threads), generator: &generator)
            batchSize = config.bc.batchSize
        } else {
            learner = TD3BCLearner(observationSize: observationSize, actionLow: box.low, actionHigh: box.high,
                                   configuration: config.td3BC.learnerConfiguration(threads: options.threads), generator: &generator)
            batchSize = config.td3BC.batchSize
        }
        try learner.fitObservationNormalizer(dataset.observations)
        self.generator = generator
    }

    func run(in session: RunSession) throws -> RunSummary {
        let total = config.offline.gradientSteps
        var generator = self.generator
        let learner = self.learner
        let learnerURL = session.directory.file("checkpoints/learner.safetensors")
        let data = ReplayBuffer(dataset: dataset)
        var lastCheckpoint = 0
        if session.isResuming {
            generator = try session.restore(State.self).generator
            lastCheckpoint = session.steps
            try SafeTensorsFile.read(from: learnerURL) { try learner.load(checkpoint: $0) }
        }
        var batch = TransitionBatch(observationSize: data.observationSize, actionSize: data.actionSize)
        let weights = runner.trajectoryWeights(of: dataset)

        // MARK: - Gradient steps
        while session.steps < total {
            try session.checkInterruption()
            let step = session.steps
            try data.sampleTransitions(batchSize: batchSize, weights: weights, into: &batch, using: &generator)
            let metrics = learner.learn(on: batch, using: &generator)
            session.steps += 1
            if session.steps % 1000 == 0 { session.record(metrics) }

            // MARK: evaluation of the policy in the real environment
            let mean = try session.evaluateIfDue(since: step) { observation, _ in
                var action = [Float](repeating: 0, count: learner.actionSize)
                learner.act(observations: observation, rows: 1, into: &action)
                return action
            }
            session.recordNormalizedScore(mean)
            if let mean { session.progress.update(steps: session.steps, of: total, lastReturn: mean) }

            // MARK: checkpoint
            if config.output.checkpoint && session.steps - lastCheckpoint >= config.output.checkpointEvery && session.steps < total {
                try session.beginCheckpoint()
                lastCheckpoint = session.steps
                try learner.checkpoint().write(to: learnerURL)
                try session.checkpoint(State(generator: generator))
            }
        }

        // MARK: - Summary
        return try session.finish(extra: ["updates": learner.updates, "dataset_transitions": dataset.count])
    }
}
