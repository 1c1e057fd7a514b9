import Environments
import Foundation
import Planning
import Replay
import SeededRandom
import WorldModels

/// PETS (Chua et al. 2018; the loop of mbrl-lib's `pets.py`): random steps,
/// then `trials` episodes in which the world model is retrained on all data
/// and an MPC agent plans every action on it (or on the true dynamics with
/// `model.kind: oracle`). Evaluation (`eval:`) plans with a second agent over
/// the same model, with its own planning stream, on the evaluation environment.
///
/// Checkpoints after every trial (with `output.checkpoint`): the replay
/// buffer, the model and the main generator. A resumed run's planning stream
/// starts afresh, so its numbers are reproducible but differ from those of an
/// uninterrupted run.
struct PETSLoop: ExperimentLoop {
    /// What a checkpoint keeps besides the shared counters.
    struct State: Codable {
        var trials: Int
        var generator: SeededGenerator
        var planMilliseconds: [Double]
        /// The training and evaluation agents' random streams (planner samples, imagination noise):
        /// a resumed run plans exactly as the uninterrupted one (nil in checkpoints of older versions).
        var agentGenerators: [SeededGenerator]?
        var evaluationAgentGenerators: [SeededGenerator]?
    }

    let runner: ExperimentRunner
    var config: ExperimentConfig { runner.config }
    let env: any Environment
    let encoding: ActionEncoding
    let buffer: ReplayBuffer
    let generator: SeededGenerator
    let learned: (any TrainableWorldModel)?
    let agent: AgentDriver
    let evaluationAgent: AgentDriver
    var evaluationMaxSteps: Int { config.trialLength ?? .max }

    // MARK: - Setup: environment, seeds, buffer, model, agents
    init(runner: ExperimentRunner, options: RunOptions) throws {
        self.runner = runner
        let config = runner.config
        env = try runner.makeEnvironment()
        encoding = ActionEncoding(space: env.actionSpace)
        var generator = SeededGenerator(seed: UInt64(config.seed))
        let trialLength = config.trialLength ?? Int.max
        let capacity = config.initialRandomSteps + config.trials * min(trialLength, 100_000) + 1
        buffer = ReplayBuffer(capacity: max(capacity, 1), observationSize: env.observationSpace.flatSize, actionSize: encoding.size)
        let planner = try runner.makePlanner(encoding: encoding)
        // The evaluation agent plans from a stream of its own, so evaluating changes nothing in training.
        let evaluationGenerator = SeededGenerator(seed: UInt64(config.seed) &+ 0xE7A1_5EED)
        switch config.model.kind {
        case .learned:
            let model = try runner.makeWorldModel(observationSize: env.observationSpace.flatSize, actionSize: encoding.size,
                                                  threads: options.threads, generator: &generator)
            learned = model
            let reward = try runner.rewardFunction()
            agent = .learned(makePlanningAgent(model: model, planner: planner, particles: config.planner.particles,
                                               rewardFunction: reward, replanEvery: config.planner.replanEvery,
                                               generator: generator.split()))
            evaluationAgent = .learned(makePlanningAgent(model: model, planner: try runner.makePlanner(encoding: encoding),
                                                         particles: config.planner.particles, rewardFunction: reward,
                                                         replanEvery: config.planner.replanEvery, generator: evaluationGenerator))
        case .oracle:
            learned = nil
            func oracle(_ planner: any Planner, _ generator: SeededGenerator) throws -> AgentDriver {
                let model = try OracleModel(environment: runner.makeEnvironment())
                return .oracle(MPCAgent(model: model, planner: planner, particles: config.planner.particles, rewardFunction: nil,
                                        replanEvery: config.planner.replanEvery, generator: generator), model)
            }
            agent = try oracle(planner, generator.split())
            evaluationAgent = try oracle(try runner.makePlanner(encoding: encoding), evaluationGenerator)
        }
        self.generator = generator
    }

    func run(in session: RunSession) throws -> RunSummary {
        let config = self.config, encoding = self.encoding, agent = self.agent, evaluationAgent = self.evaluationAgent
        var env = self.env, buffer = self.buffer, generator = self.generator
        let trialLength = config.trialLength ?? Int.max
        var firstTrial = 0
        var planMilliseconds: [Double] = []
        if session.isResuming {
            let state = try session.restore(State.self)
            buffer = try ReplayBuffer.load(from: session.directory.file("checkpoints/replay.npz"))
            if let learned { try runner.loadCheckpoint(learned, in: session.directory) }
            (firstTrial, generator, planMilliseconds) = (state.trials, state.generator, state.planMilliseconds)
            if let streams = state.agentGenerators { agent.generators = streams }
            if let streams = state.evaluationAgentGenerators { evaluationAgent.generators = streams }
        }

        // MARK: - Random steps (a resumed run has them already)
        if !session.isResuming {
            var randomGenerator = generator.split()
            while session.steps < config.initialRandomSteps {
                let result = try runner.runEpisode(&env, buffer: &buffer, seed: session.episodeSeed(session.episodeIndex),
                                                   maxSteps: min(trialLength, config.initialRandomSteps - session.steps), firstStep: session.steps) { _, _ in
                    try session.checkInterruption()
                    return encoding.randomVector(using: &randomGenerator)
                } observe: { _, _ in }
                session.steps += result.length
                session.episodeIndex += 1
                session.recordEpisode(kind: "random", result: result)
            }
        }

        // MARK: - Trials: model update, then one planning episode
        for trial in firstTrial..<config.trials {
            if let model = learned {
                let clock = Date()
                let report = try model.fit(on: buffer, using: &generator)
                var values = ["model/train_loss": Double(report.trainLoss), "model/train_steps": Double(report.steps),
                              "time/model_train_s": Date().timeIntervalSince(clock)]
                if let validation = report.validationLoss { values["model/val_loss"] = Double(validation) }
                session.record(values)
            }

            var planTime = 0.0, planCalls = 0
            let stepsBefore = session.steps
            let result = try runner.runEpisode(&env, buffer: &buffer, seed: session.episodeSeed(session.episodeIndex),
                                               maxSteps: trialLength, firstStep: session.steps) { observation, environment in
                try session.checkInterruption()
                let clock = Date()
                defer { planTime += Date().timeIntervalSince(clock); planCalls += 1 }
                let action = agent.act(observation: observation, environment: environment)
                if agent.lastPlanDiverged {
                    throw RunDiverged(quantity: "planner values (every candidate's value)", value: .nan, step: stepsBefore + planCalls)
                }
                return action
            } observe: { action, observation in
                agent.observe(action: action, observation: observation)
            } start: { observation in
                agent.reset(observation: observation)
            }
            session.steps += result.length
            session.episodeIndex += 1
            let msPerAction = 1000 * planTime / Double(max(planCalls, 1))
            planMilliseconds.append(msPerAction)
            session.recordEpisode(kind: "trial", result: result, msPerAction: msPerAction,
                                  extra: ["train/trial": Double(trial), "plan/ms_per_action": msPerAction])

            // MARK: evaluation with the planner, on its own environment
            try session.evaluateIfDue(since: stepsBefore) { observation, environment in
                evaluationAgent.act(observation: observation, environment: environment)
            } observe: { action, observation in
                evaluationAgent.observe(action: action, observation: observation)
            } start: { observation in
                evaluationAgent.reset(observation: observation)
            }

            // MARK: logging, and what --resume needs
            if config.output.checkpoint {
                try session.beginCheckpoint()
                if let model = learned { try runner.saveCheckpoint(model, in: session.directory) }
                try buffer.save(to: session.directory.file("checkpoints/replay.npz"))
                try session.checkpoint(State(trials: trial + 1, generator: generator, planMilliseconds: planMilliseconds,
                                             agentGenerators: agent.generators, evaluationAgentGenerators: evaluationAgent.generators))
            } else {
                try session.writeRecords()
            }
            session.progress.update(episode: trial + 1, of: config.trials, lastReturn: result.episodeReturn, steps: session.steps,
                                    extra: String(format: "%.0f ms/action", msPerAction))
        }

        // MARK: - Summary
        let msPerAction = planMilliseconds.isEmpty ? 0 : planMilliseconds.reduce(0, +) / Double(planMilliseconds.count)
        let returns = session.episodeReturns
        return try session.finish(msPerAction: msPerAction, extra: ["trial_returns": returns])
    }
}
