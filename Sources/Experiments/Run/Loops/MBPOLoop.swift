import Environments
import Foundation
import Learners
import NN
import Replay
import SeededRandom
import WorldModels

/// MBPO (Janner et al. 2019), the loop of mbrl-lib 0.2's `mbpo.py` (`MBPOConfig`)
/// over any world-model backbone: real steps with the SAC policy, a world
/// model retrained every `freq_train_model` steps and rolled out from real
/// states (a sequence model after observing each start's real history) into
/// the model buffer, and `num_sac_updates_per_step` SAC updates per step on
/// model (and, with `real_data_ratio`, real) transitions.
///
/// As in mbrl-lib, the real environment is driven by the policy's
/// deterministic action (`SACAgent.act` with `sample=False`) after the initial
/// exploration, and every epoch starts a new real episode. Evaluation
/// (`eval.every`, typically `epoch_length`) plays the deterministic policy.
///
/// Checkpoints after every epoch (an episode boundary): both buffers, the
/// model, the learner and the generator, so a resumed run continues exactly
/// as an uninterrupted one.
struct MBPOLoop: ExperimentLoop {
    struct State: Codable {
        var epoch: Int
        var generator: SeededGenerator
    }

    let runner: ExperimentRunner
    var config: ExperimentConfig { runner.config }
    let env: any Environment
    let bounds: (low: [Float], high: [Float])
    let learner: SACLearner
    let model: any TrainableWorldModel
    let rewardFunction: (any RewardFunction)?
    let termination: TerminationSource
    let terminationFunction: (any RewardFunction)?
    let generator: SeededGenerator
    var evaluationMaxSteps: Int { .max }

    // MARK: - Setup: environment, learner, model (checked before anything is written)
    init(runner: ExperimentRunner, options: RunOptions) throws {
        self.runner = runner
        let config = runner.config
        env = try runner.makeEnvironment()
        var generator: SeededGenerator
        (learner, bounds, generator) = try SACLoop.makeLearner(runner: runner, environment: env, threads: options.threads)
        model = try runner.makeWorldModel(observationSize: env.observationSpace.flatSize, actionSize: learner.actionSize,
                                          threads: options.threads, generator: &generator)
        rewardFunction = try runner.rewardFunction()
        termination = config.mbpo.termination
        if termination == .known {
            guard let function = KnownRewardFunctions.forEnvironment(config.env.id, settings: config.env.settings) else {
                throw runner.located(ConfigError(.inapplicable(reason:
                    "known: there is no known termination function for \(config.env.id) (known: "
                        + "\(KnownRewardFunctions.environmentIDs.joined(separator: ", "))); use learned (a sequence backbone's "
                        + "termination head) or none"), keyPath: ["mbpo", "termination"]))
            }
            terminationFunction = function
        } else {
            terminationFunction = nil
        }
        self.generator = generator
    }

    func run(in session: RunSession) throws -> RunSummary {
        let mbpo = config.mbpo, sac = config.sac, total = config.totalSteps
        var env = self.env, generator = self.generator
        let learner = self.learner, bounds = self.bounds, model = self.model
        let directory = session.directory
        let files = (replay: directory.file("checkpoints/replay.npz"), modelBuffer: directory.file("checkpoints/model_buffer.npz"),
                     model: directory.file("checkpoints/model.safetensors"), learner: directory.file("checkpoints/sac.safetensors"))
        let observationSize = env.observationSpace.flatSize, actionSize = learner.actionSize
        var buffer = ReplayBuffer(capacity: total, observationSize: observationSize, actionSize: actionSize)
        var modelBuffer = ReplayBuffer(capacity: 1, observationSize: observationSize, actionSize: actionSize)
        var epoch = 0
        if session.isResuming {
            let state = try session.restore(State.self)
            (epoch, generator) = (state.epoch, state.generator)
            buffer = try ReplayBuffer.load(from: files.replay)
            modelBuffer = try ReplayBuffer.load(from: files.modelBuffer)
            try model.load(checkpointAt: files.model)
            try SafeTensorsFile.read(from: files.learner) { try learner.load(checkpoint: $0) }
        }
        let history = config.model.isSequenceBackbone ? mbpo.historyLength : 0
        let rolloutTermination: RolloutTermination = {
            switch termination {
            case .known: return .function(terminationFunction!)
            case .learned: return .model
            case .none: return .never
            }
        }()
        let rollouts = makeBranchedRollouts(model: model, rewardFunction: rewardFunction, termination: rolloutTermination)
        var action = [Float](repeating: 0, count: actionSize)
        var batch = TransitionBatch(observationSize: observationSize, actionSize: actionSize)
        var lastMetrics: SACUpdateMetrics?

        // MARK: - Initial exploration: random actions, or the untrained policy sampled
        while session.steps < mbpo.initialExplorationSteps {
            let result = try runner.runEpisode(&env, buffer: &buffer, seed: session.episodeSeed(session.episodeIndex),
                                               maxSteps: mbpo.initialExplorationSteps - session.steps, firstStep: session.steps) { observation, _ in
                try session.checkInterruption()
                if mbpo.randomInitialExplore {
                    for i in action.indices { action[i] = generator.uniform(bounds.low[i], bounds.high[i]) }
                } else {
                    learner.act(observations: observation, rows: 1, deterministic: false, into: &action, using: &generator)
                }
                return action
            } observe: { _, _ in }
            session.steps += result.length
            session.episodeIndex += 1
            session.recordEpisode(kind: "explore", result: result)
        }

        // MARK: - Epochs
        let trainsPerEpoch = (mbpo.epochLength + mbpo.freqTrainModel - 1) / mbpo.freqTrainModel
        let rolloutsPerTrain = mbpo.effectiveModelRolloutsPerStep * mbpo.freqTrainModel
        while session.steps < total {
            let rolloutLength = mbpo.rolloutLength(epoch: epoch + 1)
            let capacity = rolloutLength * rolloutsPerTrain * trainsPerEpoch * mbpo.numEpochsToRetainSACBuffer
            if modelBuffer.capacity != capacity { modelBuffer = modelBuffer.resized(capacity: capacity) }
            var timing = (model: 0.0, rollout: 0.0, sac: 0.0)
            var observation = try session.startEpisode(&env)
            var episode = EpisodeResult(), episodeDone = false
            for _ in 0..<mbpo.epochLength where session.steps < total {
                try session.checkInterruption()
                let loopStep = session.steps - mbpo.initialExplorationSteps
                if episodeDone {
                    session.recordEpisode(kind: "train", result: episode)
                    observation = try session.startEpisode(&env)
                    (episode, episodeDone) = (EpisodeResult(), false)
                }

                // MARK: a real step with the policy
                learner.act(observations: observation, rows: 1, deterministic: !mbpo.envSamplesAction, into: &action, using: &generator)
                let result = try session.step(&env, .continuous(action))
                buffer.add(observation: observation, action: action, reward: Float(result.reward), nextObservation: result.observation,
                           terminated: result.terminated, truncated: result.truncated)
                observation = result.observation
                episode.episodeReturn += result.reward
                episode.length += 1
                (episode.terminated, episode.truncated, episodeDone) = (result.terminated, result.truncated, result.done)
                session.steps += 1

                // MARK: model training, then a batch of rollouts into the model buffer
                if (loopStep + 1) % mbpo.freqTrainModel == 0 {
                    var clock = Date()
                    let report = try model.fit(on: buffer, using: &generator)
                    timing.model += Date().timeIntervalSince(clock)
                    var values = ["model/train_loss": Double(report.trainLoss), "model/train_steps": Double(report.steps)]
                    if let validation = report.validationLoss { values["model/val_loss"] = Double(validation) }
                    session.record(values)
                    clock = Date()
                    let added = try rollouts.run(starts: rolloutsPerTrain, history: history, length: rolloutLength, from: buffer,
                                                 into: &modelBuffer, samplingPolicy: mbpo.sacSamplesAction, learner: learner,
                                                 using: &generator)
                    timing.rollout += Date().timeIntervalSince(clock)
                    session.record(["rollout/length": Double(rolloutLength), "rollout/transitions": Double(added),
                                    "rollout/model_buffer_size": Double(modelBuffer.count)])
                }

                // MARK: SAC updates on model (and real) transitions
                if (loopStep + 1) % mbpo.sacUpdatesEverySteps == 0 {
                    let clock = Date()
                    for _ in 0..<mbpo.numSACUpdatesPerStep {
                        let real = generator.uniformDouble() < mbpo.realDataRatio
                        let source = real ? buffer : modelBuffer
                        if source.count < sac.batchSize { break }
                        try source.sampleTransitions(batchSize: sac.batchSize, into: &batch, using: &generator)
                        lastMetrics = learner.update(on: batch, using: &generator)
                    }
                    timing.sac += Date().timeIntervalSince(clock)
                }

                // MARK: evaluation of the deterministic policy
                try session.evaluateIfDue(since: session.steps - 1) { observation, _ in
                    var action = [Float](repeating: 0, count: learner.actionSize), unused = SeededGenerator(seed: 0)
                    learner.act(observations: observation, rows: 1, deterministic: true, into: &action, using: &unused)
                    return action
                }
            }

            // MARK: epoch end: the episode is cut (as mbrl-lib), log, checkpoint
            if !episodeDone { buffer.endEpisode() }
            session.recordEpisode(kind: "train", result: episode)
            epoch += 1
            var values = ["train/epoch": Double(epoch), "time/model_train_s": timing.model, "time/rollout_s": timing.rollout,
                          "time/sac_s": timing.sac, "train/sac_updates": Double(learner.updates)]
            if let lastMetrics { values.merge(SACLoop.metricValues(lastMetrics)) { _, new in new } }
            session.record(values)
            if config.output.checkpoint && session.steps < total {
                try session.beginCheckpoint()
                try buffer.save(to: files.replay)
                try modelBuffer.save(to: files.modelBuffer)
                try model.checkpoint().write(to: files.model)
                try learner.checkpoint().write(to: files.learner)
                try session.checkpoint(State(epoch: epoch, generator: generator))
            }
            session.progress.update(steps: session.steps, of: total, lastReturn: episode.episodeReturn,
                                    extra: String(format: "epoch %d, eval %.1f", epoch, session.log.last("eval/episode_return") ?? .nan))
        }

        // MARK: - Summary
        return try session.finish(extra: ["sac_updates": learner.updates, "epochs": epoch])
    }
}
