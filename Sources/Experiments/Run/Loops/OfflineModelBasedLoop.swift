import Environments
import Foundation
import Learners
import NN
import Replay
import SeededRandom
import WorldModels

/// Offline model-based RL from a dataset (`offline:`): MOPO (Yu et al. 2020),
/// MOReL (Kidambi et al. 2020), RAVL (Sims et al. 2024, "The Edge-of-Reach
/// Problem in Offline Model-Based RL") and model-based training with no
/// penalty, in the loop of OfflineRL-Kit's `MOPOPolicyTrainer`:
///
/// 1. the world model (`model:`, any backbone's ensemble) is fitted to the dataset once;
/// 2. every `rollout_freq` gradient steps, `rollout_batch_size` branched
///    rollouts of `rollout_length` steps start from dataset states under the
///    current SAC policy (sampled) into the model buffer, their rewards
///    penalised by the members' disagreement (mopo: `r − λ·u`; morel: `−κ`
///    and halt past the calibrated threshold; ravl and offline_mbpo: none);
/// 3. each SAC update (RAVL: `sac.num_critics` critics with EDAC's
///    diversity term) takes `real_ratio` of its batch from the dataset and the
///    rest from the model buffer.
///
/// With `model.kind: oracle` the world model is the true dynamics, each
/// rollout starting from the simulator state behind its dataset observation
/// (`StateFromObservation`): the edge-of-reach experiment, where the
/// pessimism that matters is the value function's, not the model's.
///
/// The environment is only stepped to evaluate (`eval.every` gradient steps,
/// also logged as `eval/normalized_score`). The metrics' `step` counts
/// gradient steps. Checkpoints every `output.checkpoint_every` gradient steps
/// (model, learner, model buffer, generator), so a resumed run continues
/// exactly as an uninterrupted one.
struct OfflineModelBasedLoop: ExperimentLoop {
    struct State: Codable {
        var generator: SeededGenerator
    }

    let runner: ExperimentRunner
    var config: ExperimentConfig { runner.config }
    let env: any Environment
    let dataset: OfflineDataset
    let learner: SACLearner
    /// The rollouts' model: the learned one, or the true dynamics (`model.kind: oracle`).
    let model: any WorldModel
    /// The learned model (nil for the oracle).
    let learned: (any TrainableWorldModel)?
    let rewardFunction: (any RewardFunction)?
    let termination: RolloutTermination
    /// The reward penalty of mopo and morel, checked against the model (nil for ravl and offline_mbpo).
    let penalty: UncertaintyPenaltyConfiguration?
    let generator: SeededGenerator
    var evaluationMaxSteps: Int { .max }

    // MARK: - Setup: environment (for its spaces and evaluation), dataset, learner, model
    init(runner: ExperimentRunner, options: RunOptions) throws {
        self.runner = runner
        let config = runner.config
        env = try runner.makeEnvironment()
        var generator: SeededGenerator
        (learner, _, generator) = try SACLoop.makeLearner(runner: runner, environment: env, threads: options.threads)
        dataset = try runner.loadOfflineDataset(for: env)
        if config.model.kind == .oracle {
            let oracle = try OracleModel(environment: runner.makeEnvironment())
            guard oracle.setsStateFromObservations else {
                throw runner.located(ConfigError(.inapplicable(reason:
                    "oracle: offline rollouts start from dataset observations, and \(config.env.id) cannot set its simulator "
                        + "from an observation (it is not StateFromObservation; Pendulum-v1 and ContinuousCartPole-v0 are)"),
                    keyPath: ["model", "kind"]))
            }
            (model, learned, rewardFunction, termination) = (oracle, nil, nil, .model)
        } else {
            let trained = try runner.makeWorldModel(observationSize: env.observationSpace.flatSize, actionSize: learner.actionSize,
                                                    threads: options.threads, generator: &generator)
            (model, learned) = (trained, trained)
            rewardFunction = try runner.rewardFunction()
            // Terminations come from the environment's known function where there is one, else never.
            termination = KnownRewardFunctions.forEnvironment(config.env.id, settings: config.env.settings).map { .function($0) } ?? .never
        }
        penalty = config.algorithm == .mopo || config.algorithm == .morel
            ? try Self.penaltyConfiguration(runner: runner, model: model) : nil
        self.generator = generator
    }

    /// The penalty of `offline:` for mopo and morel, checked against the model (a config error otherwise).
    static func penaltyConfiguration(runner: ExperimentRunner, model: any WorldModel) throws
        -> UncertaintyPenaltyConfiguration {
        let offline = runner.config.offline
        var configuration = UncertaintyPenaltyConfiguration()
        if runner.config.algorithm == .morel {
            configuration.heuristic = .morel
            configuration.morelThresholdCoefficient = Float(offline.morelThresholdCoefficient)
            configuration.morelHaltPenalty = Float(offline.morelHaltPenalty)
        } else {
            configuration.heuristic = UncertaintyHeuristic(rawValue: offline.penalty.rawValue)!
            configuration.lambda = Float(offline.penaltyCoefficient)
        }
        do {
            try configuration.validate(ensembleSize: model.ensembleSize, probabilistic: !runner.config.model.deterministic)
        } catch let error as UncertaintyPenaltyError {
            let key = runner.config.algorithm == .morel ? ["algorithm"] : ["offline", "penalty"]
            throw runner.located(ConfigError(.inapplicable(reason: "\(error.description) (model.members: \(runner.config.model.members))"),
                                             keyPath: key))
        }
        return configuration
    }

    func run(in session: RunSession) throws -> RunSummary {
        let offline = config.offline, batchSize = config.sac.batchSize, total = offline.gradientSteps
        var generator = self.generator
        let learner = self.learner, model = self.model, learned = self.learned
        let directory = session.directory
        let files = (modelBuffer: directory.file("checkpoints/model_buffer.npz"), model: directory.file("checkpoints/model.safetensors"),
                     learner: directory.file("checkpoints/sac.safetensors"))
        let real = ReplayBuffer(dataset: dataset)
        let observationSize = real.observationSize, actionSize = real.actionSize
        var modelBuffer = ReplayBuffer(capacity: offline.rolloutBatchSize * offline.rolloutLength * offline.modelRetainEpochs,
                                       observationSize: observationSize, actionSize: actionSize)
        var lastCheckpoint = 0

        // MARK: - The model: fitted to the dataset once (or read back on resume)
        if session.isResuming {
            let state = try session.restore(State.self)
            generator = state.generator
            lastCheckpoint = session.steps
            modelBuffer = try ReplayBuffer.load(from: files.modelBuffer)
            try learned?.load(checkpointAt: files.model)
            try SafeTensorsFile.read(from: files.learner) { try learner.load(checkpoint: $0) }
        } else if let learned {
            let clock = Date()
            let report = try learned.fit(on: real, using: &generator)
            var values = ["model/train_loss": Double(report.trainLoss), "model/train_steps": Double(report.steps),
                          "time/model_train_s": Date().timeIntervalSince(clock)]
            if let validation = report.validationLoss { values["model/val_loss"] = Double(validation) }
            session.record(values)
            if config.output.checkpoint { try learned.checkpoint().write(to: files.model) }
        }

        // MARK: - The penalty (MOReL's threshold from the dataset's own discrepancies)
        var penalizer: UncertaintyRewardPenalizer?
        if let configuration = penalty {
            var calibration: DisagreementCalibration?
            if config.algorithm == .morel {
                var calibrationGenerator = SeededGenerator(seed: UInt64(config.seed) &+ 0xCA11_B8A7)
                calibration = DisagreementCalibration()
                calibration!.observe(model: model, observations: dataset.observations, actions: dataset.actions,
                                     using: &calibrationGenerator)
                session.record(["rollout/morel_calibration_max": Double(calibration!.maximum)])
            }
            penalizer = try UncertaintyRewardPenalizer(configuration: configuration, ensembleSize: model.ensembleSize,
                                                       probabilistic: !config.model.deterministic, calibration: calibration)
        }
        let rollouts = makeBranchedRollouts(model: model, rewardFunction: rewardFunction, termination: termination,
                                            penalizer: penalizer)

        // MARK: - Gradient steps: rollouts every rollout_freq, SAC on mixed batches
        let realRows = Int((Double(batchSize) * offline.realRatio).rounded())
        let weights = runner.trajectoryWeights(of: dataset)
        // A sequence model first observes the dataset steps before each start (as in MBPO).
        let history = config.model.isSequenceBackbone && learned != nil ? offline.historyLength : 0
        var realBatch = TransitionBatch(observationSize: observationSize, actionSize: actionSize)
        var modelBatch = TransitionBatch(observationSize: observationSize, actionSize: actionSize)
        var batch = TransitionBatch(batchSize: batchSize, observationSize: observationSize, actionSize: actionSize)
        var lastMetrics: SACUpdateMetrics?
        var timing = (rollout: 0.0, sac: 0.0)
        while session.steps < total {
            try session.checkInterruption()
            let step = session.steps
            if step % offline.rolloutFreq == 0 {
                let clock = Date()
                let added = try rollouts.run(starts: offline.rolloutBatchSize, history: history, length: offline.rolloutLength,
                                             from: real, into: &modelBuffer, samplingPolicy: true, learner: learner,
                                             using: &generator)
                timing.rollout += Date().timeIntervalSince(clock)
                var values = ["rollout/transitions": Double(added), "rollout/model_buffer_size": Double(modelBuffer.count)]
                if let penalty = rollouts.lastPenalty {
                    values["rollout/uncertainty_mean"] = Double(penalty.meanUncertainty)
                    values["rollout/uncertainty_max"] = Double(penalty.maxUncertainty)
                    values["rollout/halted"] = Double(penalty.halted)
                }
                session.record(values)
            }

            let clock = Date()
            let modelRows = modelBuffer.count > 0 ? batchSize - realRows : 0
            try real.sampleTransitions(batchSize: batchSize - modelRows, weights: weights, into: &realBatch, using: &generator)
            if modelRows > 0 {
                try modelBuffer.sampleTransitions(batchSize: modelRows, into: &modelBatch, using: &generator)
                batch.fill(concatenating: realBatch, modelBatch)
                lastMetrics = learner.update(on: batch, using: &generator)
            } else {
                lastMetrics = learner.update(on: realBatch, using: &generator)
            }
            timing.sac += Date().timeIntervalSince(clock)
            session.steps += 1

            if session.steps % 1000 == 0, let lastMetrics {
                var values = SACLoop.metricValues(lastMetrics)
                values["time/rollout_s"] = timing.rollout
                values["time/sac_s"] = timing.sac
                session.record(values)
            }

            // MARK: evaluation of the deterministic policy in the real environment
            let mean = try session.evaluateIfDue(since: step) { observation, _ in
                var action = [Float](repeating: 0, count: learner.actionSize), unused = SeededGenerator(seed: 0)
                learner.act(observations: observation, rows: 1, deterministic: true, into: &action, using: &unused)
                return action
            }
            session.recordNormalizedScore(mean)
            if let mean { session.progress.update(steps: session.steps, of: total, lastReturn: mean) }

            // MARK: checkpoint
            if config.output.checkpoint && session.steps - lastCheckpoint >= config.output.checkpointEvery && session.steps < total {
                try session.beginCheckpoint()
                lastCheckpoint = session.steps
                try modelBuffer.save(to: files.modelBuffer)
                try learner.checkpoint().write(to: files.learner)
                try session.checkpoint(State(generator: generator))
            }
        }

        // MARK: - Summary
        return try session.finish(extra: ["sac_updates": learner.updates, "dataset_transitions": dataset.count])
    }
}
