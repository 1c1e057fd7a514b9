import Environments
import Foundation
import Learners
import NN
import Replay
import SeededRandom

/// DQN (Mnih et al. 2015), the loop of CleanRL's `dqn.py`: ε-greedy steps
/// into a replay buffer; after `learning_starts`, every `train_frequency`
/// steps `gradient_steps` updates of the Q-network, every
/// `target_network_frequency` steps a target-network update (`DQNConfig`).
/// Evaluation plays the greedy policy.
///
/// Checkpoints at the first episode end after every `output.checkpoint_every`
/// steps, and at the last step (a finished run's checkpoint is its final
/// state): the replay buffer, the learner (networks, target, Adam moments) and
/// the generators, so a resumed run continues exactly as an uninterrupted one.
struct DQNLoop: ExperimentLoop {
    typealias State = StepBudgetLoopState

    let runner: ExperimentRunner
    var config: ExperimentConfig { runner.config }
    let env: any Environment
    let learner: DQNLearner
    let actionCount: Int, actionStart: Int
    let generator: SeededGenerator
    var evaluationMaxSteps: Int { .max }

    // MARK: - Setup: environment, learner (checked before anything is written)
    init(runner: ExperimentRunner, options: RunOptions) throws {
        self.runner = runner
        env = try runner.makeEnvironment()
        let actions = try runner.discreteActions(of: env)
        (actionCount, actionStart) = (actions.n, actions.start)
        var generator = SeededGenerator(seed: UInt64(runner.config.seed))
        learner = DQNLearner(observationSize: env.observationSpace.flatSize, actionCount: actions.n,
                             configuration: runner.config.dqn.learnerConfiguration, generator: &generator)
        self.generator = generator
    }

    func run(in session: RunSession) throws -> RunSummary {
        let dqn = config.dqn, total = config.totalSteps
        var env = self.env, generator = self.generator
        let bufferURL = session.directory.file("checkpoints/replay.npz"), learnerURL = session.directory.file("checkpoints/dqn.safetensors")
        var buffer = ReplayBuffer(capacity: dqn.bufferSize, observationSize: env.observationSpace.flatSize, actionSize: 1)
        var lastCheckpoint = 0
        if session.isResuming {
            let state = try session.restore(State.self)
            (generator, lastCheckpoint) = (state.generator, state.lastCheckpoint)
            buffer = try ReplayBuffer.load(from: bufferURL)
            try SafeTensorsFile.read(from: learnerURL) { try self.learner.load(checkpoint: $0) }
        }
        let epsilon = LinearSchedule(start: dqn.startE, end: dqn.endE, duration: Int(dqn.explorationFraction * Double(total)))
        var batch = TransitionBatch(observationSize: buffer.observationSize, actionSize: 1)
        let (learner, start) = (self.learner, actionStart)

        // MARK: - Steps: act ε-greedily, store, learn
        var observation = try session.startEpisode(&env)
        var episode = EpisodeResult()
        while session.steps < total {
            try session.checkInterruption()
            let step = session.steps
            let index = generator.uniformDouble() < epsilon.value(at: step)
                ? Int(generator.next(upperBound: UInt64(actionCount))) : learner.greedyAction(observation: observation)
            let result = try session.step(&env, .discrete(start + index))
            buffer.add(observation: observation, action: [Float(index)], reward: Float(result.reward),
                       nextObservation: result.observation, terminated: result.terminated, truncated: result.truncated)
            observation = result.observation
            episode.episodeReturn += result.reward
            episode.length += 1
            session.steps += 1

            // MARK: learning
            if step > dqn.learningStarts {
                if step % dqn.trainFrequency == 0 {
                    var loss = 0.0, meanQ = 0.0
                    for _ in 0..<dqn.gradientSteps {
                        try buffer.sampleTransitions(batchSize: dqn.batchSize, into: &batch, using: &generator)
                        let metrics = learner.update(on: batch)
                        (loss, meanQ) = (Double(metrics.loss), Double(metrics.meanQ))
                    }
                    if step % 100 == 0 { session.record(["train/td_loss": loss, "train/q_values": meanQ, "train/epsilon": epsilon.value(at: step)]) }
                }
                if step % dqn.targetNetworkFrequency == 0 { learner.updateTargetNetwork() }
            }

            // MARK: evaluation of the greedy policy
            try session.evaluateIfDue(since: step) { observation, _ in [Float(start + learner.greedyAction(observation: observation))] }

            // MARK: episode end: log, checkpoint, reset
            if result.done || session.steps == total {
                (episode.terminated, episode.truncated) = (result.terminated, result.truncated)
                if !result.done { buffer.endEpisode() }
                try session.endEpisode(episode, total: total, lastCheckpoint: &lastCheckpoint, extra: ["train/epsilon": epsilon.value(at: step)]) { lastCheckpoint in
                    try buffer.save(to: bufferURL)
                    try learner.checkpoint().write(to: learnerURL)
                    return State(generator: generator, lastCheckpoint: lastCheckpoint)
                }
                episode = EpisodeResult()
                if session.steps < total { observation = try session.startEpisode(&env) }
            }
        }

        // MARK: - Summary
        return try session.finish(extra: ["updates": learner.updates])
    }
}
