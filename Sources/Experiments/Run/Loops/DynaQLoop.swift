import Environments
import Foundation
import Learners
import SeededRandom

/// Tabular Q-learning, Dyna-Q and Dyna-Q+ (Sutton & Barto 2018, §8.2–8.3):
/// `dyna_q.episodes` real episodes; after every real step the learner makes
/// its Q-learning update, records the transition in its tabular model and
/// makes `planning_steps` updates from the model (`DynaQLearner`). Episode
/// lengths are the book's measure (Figure 8.2: steps per episode).
/// Evaluation plays the greedy policy (ties broken at random, from a stream of
/// its own), at most `env.max_episode_steps` (default 1000) steps per episode,
/// so a greedy policy that loops still ends.
///
/// Checkpoints after every episode (the table is small): the learner (Q
/// table, model, visit times) and the generator; a resumed run continues exactly.
struct DynaQLoop: ExperimentLoop {
    struct State: Codable {
        var generator: SeededGenerator
        var evaluationGenerator: SeededGenerator
        var learner: DynaQLearner
    }

    let runner: ExperimentRunner
    var config: ExperimentConfig { runner.config }
    let env: any Environment
    let stateStart: Int, actionStart: Int
    let learner: DynaQLearner
    var evaluationMaxSteps: Int { config.env.maxEpisodeSteps ?? 1000 }

    // MARK: - Setup: environment and table (checked before anything is written)
    init(runner: ExperimentRunner, options: RunOptions) throws {
        self.runner = runner
        env = try runner.makeEnvironment()
        let actions = try runner.discreteActions(of: env), states = try runner.discreteObservations(of: env)
        (stateStart, actionStart) = (states.start, actions.start)
        learner = DynaQLearner(stateCount: states.n, actionCount: actions.n, configuration: runner.config.dynaQ.learnerConfiguration)
    }

    func run(in session: RunSession) throws -> RunSummary {
        var env = self.env, learner = self.learner
        var generator = SeededGenerator(seed: UInt64(config.seed))
        var evaluationGenerator = SeededGenerator(seed: UInt64(config.seed) &+ 0xE7A1_5EED)
        if session.isResuming {
            let state = try session.restore(State.self)
            (generator, evaluationGenerator, learner) = (state.generator, state.evaluationGenerator, state.learner)
        }
        let (stateStart, actionStart) = (self.stateStart, self.actionStart)
        func state(_ observation: [Float]) -> Int { Int(observation[0]) - stateStart }

        // MARK: - Episodes: act ε-greedily, learn, plan
        while session.episodeIndex < config.dynaQ.episodes {
            var observation = try session.startEpisode(&env)
            var episode = EpisodeResult()
            while true {
                try session.checkInterruption()
                let s = state(observation)
                let a = learner.act(state: s, using: &generator)
                let result = try session.step(&env, .discrete(actionStart + a))
                learner.learn(state: s, action: a, reward: result.reward, nextState: state(result.observation),
                              terminated: result.terminated, using: &generator)
                observation = result.observation
                episode.episodeReturn += result.reward
                episode.length += 1
                session.steps += 1

                // MARK: evaluation of the greedy policy
                try session.evaluateIfDue(since: session.steps - 1) { observation, _ in
                    [Float(actionStart + learner.greedyAction(state: state(observation), using: &evaluationGenerator))]
                }
                if result.done {
                    (episode.terminated, episode.truncated) = (result.terminated, result.truncated)
                    break
                }
            }

            // MARK: logging, and what --resume needs
            session.recordEpisode(kind: "train", result: episode)
            session.progress.update(episode: session.episodeIndex, of: config.dynaQ.episodes, lastReturn: episode.episodeReturn,
                                    steps: session.steps, extra: "\(episode.length) steps")
            if config.output.checkpoint {
                try session.beginCheckpoint()
                try session.checkpoint(State(generator: generator, evaluationGenerator: evaluationGenerator, learner: learner))
            }
        }

        // MARK: - Summary
        return try session.finish(extra: ["episode_lengths": session.episodeLengths])
    }
}
