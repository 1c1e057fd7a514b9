import Environments
import Foundation
import Learners
import NN
import Replay
import SeededRandom

/// SAC (Haarnoja et al. 2018), the loop of CleanRL's `sac_continuous_action.py`:
/// uniformly random actions for `learning_starts` steps, then the sampled
/// policy, every step into the replay buffer; after `learning_starts`, one
/// `SACLearner` update per step (`SACConfig`). Evaluation plays the
/// deterministic policy tanh(μ), scaled to the action bounds.
///
/// Checkpoints at the first episode end after every `output.checkpoint_every`
/// steps, and at the last step (a finished run's checkpoint is its final
/// state): the replay buffer, the learner (actor, critics, targets, Adam
/// moments, log α) and the generator, so a resumed run continues exactly.
struct SACLoop: ExperimentLoop {
    typealias State = StepBudgetLoopState

    let runner: ExperimentRunner
    var config: ExperimentConfig { runner.config }
    let env: any Environment
    let bounds: (low: [Float], high: [Float])
    let learner: SACLearner
    let generator: SeededGenerator
    var evaluationMaxSteps: Int { .max }

    // MARK: - Setup: environment, learner (checked before anything is written)
    init(runner: ExperimentRunner, options: RunOptions) throws {
        self.runner = runner
        env = try runner.makeEnvironment()
        (learner, bounds, generator) = try Self.makeLearner(runner: runner, environment: env, threads: options.threads)
    }

    /// The SAC learner of `sac:` for `environment`'s Box action space (MBPO's too).
    static func makeLearner(runner: ExperimentRunner, environment env: any Environment, threads: Int?) throws
        -> (SACLearner, (low: [Float], high: [Float]), SeededGenerator) {
        let box = try runner.boundedBoxActions(of: env)
        var generator = SeededGenerator(seed: UInt64(runner.config.seed))
        let learner = SACLearner(observationSize: env.observationSpace.flatSize, actionLow: box.low, actionHigh: box.high,
                                 configuration: runner.config.sac.learnerConfiguration(threads: threads), generator: &generator)
        return (learner, (box.low, box.high), generator)
    }

    func run(in session: RunSession) throws -> RunSummary {
        let sac = config.sac, total = config.totalSteps
        var env = self.env, generator = self.generator
        let learner = self.learner, bounds = self.bounds
        let bufferURL = session.directory.file("checkpoints/replay.npz"), learnerURL = session.directory.file("checkpoints/sac.safetensors")
        var buffer = ReplayBuffer(capacity: min(sac.bufferSize, total), observationSize: env.observationSpace.flatSize,
                                  actionSize: learner.actionSize)
        var lastCheckpoint = 0
        if session.isResuming {
            let state = try session.restore(State.self)
            (generator, lastCheckpoint) = (state.generator, state.lastCheckpoint)
            buffer = try ReplayBuffer.load(from: bufferURL)
            try SafeTensorsFile.read(from: learnerURL) { try learner.load(checkpoint: $0) }
        }
        var batch = TransitionBatch(observationSize: buffer.observationSize, actionSize: buffer.actionSize)
        var action = [Float](repeating: 0, count: learner.actionSize)

        // MARK: - Steps: act, store, learn
        var observation = try session.startEpisode(&env)
        var episode = EpisodeResult()
        while session.steps < total {
            try session.checkInterruption()
            let step = session.steps
            if step < sac.learningStarts {
                for i in action.indices { action[i] = generator.uniform(bounds.low[i], bounds.high[i]) }
            } else {
                learner.act(observations: observation, rows: 1, deterministic: false, into: &action, using: &generator)
            }
            let result = try session.step(&env, .continuous(action))
            buffer.add(observation: observation, action: action, reward: Float(result.reward),
                       nextObservation: result.observation, terminated: result.terminated, truncated: result.truncated)
            observation = result.observation
            episode.episodeReturn += result.reward
            episode.length += 1
            session.steps += 1

            // MARK: learning
            if step > sac.learningStarts {
                try buffer.sampleTransitions(batchSize: sac.batchSize, into: &batch, using: &generator)
                let metrics = learner.update(on: batch, using: &generator)
                if step % 100 == 0 { session.record(Self.metricValues(metrics)) }
            }

            // MARK: evaluation of the deterministic policy
            try session.evaluateIfDue(since: step) { observation, _ in
                var action = [Float](repeating: 0, count: learner.actionSize), unused = SeededGenerator(seed: 0)
                learner.act(observations: observation, rows: 1, deterministic: true, into: &action, using: &unused)
                return action
            }

            // MARK: episode end: log, checkpoint, reset
            if result.done || session.steps == total {
                (episode.terminated, episode.truncated) = (result.terminated, result.truncated)
                if !result.done { buffer.endEpisode() }
                try session.endEpisode(episode, total: total, lastCheckpoint: &lastCheckpoint) { lastCheckpoint in
                    try buffer.save(to: bufferURL)
                    try learner.checkpoint().write(to: learnerURL)
                    return State(generator: generator, lastCheckpoint: lastCheckpoint)
                }
                episode = EpisodeResult()
                if session.steps < total { observation = try session.startEpisode(&env) }
            }
        }

        // MARK: - Summary
        return try session.finish(extra: ["updates": learner.updates, "alpha": Double(learner.alpha)])
    }

    /// `train/...` metrics of one SAC update (CleanRL's names).
    static func metricValues(_ metrics: SACUpdateMetrics) -> [String: Double] {
        var values = ["train/qf_loss": Double(metrics.qLoss), "train/alpha": Double(metrics.alpha), "train/qf_values": Double(metrics.meanQ),
                      "train/qf_max": Double(metrics.maxQ)]
        if let loss = metrics.actorLoss { values["train/actor_loss"] = Double(loss) }
        if let loss = metrics.alphaLoss { values["train/alpha_loss"] = Double(loss) }
        if let entropy = metrics.entropy { values["train/entropy"] = Double(entropy) }
        return values
    }
}
