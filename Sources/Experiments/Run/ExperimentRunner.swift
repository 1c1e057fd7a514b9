import Environments
import Foundation
import NN
import Planning
import Replay
import SeededRandom
import WorldModels

/// Runs an experiment config end to end, PETS-style (Chua et al. 2018; the loop
/// of mbrl-lib's `pets.py`): random steps, then `trials` episodes in which the
/// world model is retrained on all data and an MPC agent plans every action on
/// it. Everything random flows from `config.seed`. Writes a `RunDirectory`.
///
/// Reads top to bottom in sections (CleanRL style): setup, random steps, and
/// per trial: model update, planning episode, logging.
public struct ExperimentRunner {
    public let config: ExperimentConfig
    /// The config file (recorded in `run.json`; nil for configs built in code).
    public let configFile: String?
    /// Overrides applied to the file (recorded in `run.json`).
    public let overrides: [String]
    public var registry: EnvironmentRegistry

    public init(config: ExperimentConfig, configFile: String? = nil, overrides: [String] = [],
                registry: EnvironmentRegistry = .builtin) {
        self.config = config
        self.configFile = configFile
        self.overrides = overrides
        self.registry = registry
    }

    /// Runs the experiment and returns its summary.
    @discardableResult
    public func run(options: RunOptions = RunOptions()) throws -> RunSummary {
        let started = Date()
        let progress = ProgressReporter(quiet: options.quiet)

        // MARK: - Setup: environments, seeds, buffer, model, agent
        var env = try makeEnvironment()
        let encoding = ActionEncoding(space: env.actionSpace)
        let observationSize = env.observationSpace.flatSize
        var generator = SeededGenerator(seed: UInt64(config.seed))
        let trialLength = config.trialLength ?? Int.max
        let capacity = config.initialRandomSteps + config.trials * min(trialLength, 100_000) + 1
        var buffer = ReplayBuffer(capacity: max(capacity, 1), observationSize: observationSize, actionSize: encoding.size)
        let planner = try makePlanner(encoding: encoding)
        let learned: (any TrainableWorldModel)?
        let agentDriver: AgentDriver
        switch config.model.kind {
        case .learned:
            let model = try makeWorldModel(observationSize: observationSize, actionSize: encoding.size,
                                           threads: options.threads, generator: &generator)
            learned = model
            agentDriver = .learned(makePlanningAgent(model: model, planner: planner, particles: config.planner.particles,
                                                     rewardFunction: try rewardFunction(), replanEvery: config.planner.replanEvery,
                                                     generator: generator.split()))
        case .oracle:
            let model = try OracleModel(environment: makeEnvironment())
            learned = nil
            agentDriver = .oracle(MPCAgent(model: model, planner: planner, particles: config.planner.particles,
                                           rewardFunction: nil, replanEvery: config.planner.replanEvery,
                                           generator: generator.split()), model)
        }

        // Everything that can fail on user input has been checked: now write
        // (or, resuming, read back what the run saved after its last trial).
        let directory = try makeRunDirectory(options: options, started: started)
        var log = MetricsLog()
        var episodes = EpisodeTable()
        var steps = 0
        var episodeIndex = 0
        var firstTrial = 0
        var trialReturns: [Double] = []
        var planMilliseconds: [Double] = []
        var elapsedBefore = 0.0
        if options.resumeDirectory != nil {
            let state = try RunState.read(from: directory)
            buffer = try ReplayBuffer.load(from: directory.file("checkpoints/replay.npz"))
            if let learned { try loadCheckpoint(learned, in: directory) }
            log = try MetricsLog(jsonLines: String(contentsOf: directory.file("metrics.jsonl"), encoding: .utf8),
                                 file: directory.file("metrics.jsonl").path, limit: state.metricRecords)
            episodes = EpisodeTable(csv: try String(contentsOf: directory.file("episodes.csv"), encoding: .utf8),
                                    limit: state.episodeRows)
            (firstTrial, steps, episodeIndex, generator) = (state.trials, state.steps, state.episodes, state.generator)
            (trialReturns, planMilliseconds, elapsedBefore) = (state.trialReturns, state.planMilliseconds, state.elapsedSeconds)
            progress.message("resuming \(directory.url.path) after trial \(firstTrial) of \(config.trials)")
        } else {
            try directory.write(config.renderedYAML(), to: "config.yaml")
            try directory.writeJSON(runRecord(options: options, started: started), to: "run.json")
        }

        // MARK: - Random steps (a resumed run has them already)
        if options.resumeDirectory == nil {
            var randomGenerator = generator.split()
            while steps < config.initialRandomSteps {
                let result = try runEpisode(&env, buffer: &buffer, seed: episodeSeed(episodeIndex),
                                            maxSteps: min(trialLength, config.initialRandomSteps - steps)) { _, _ in
                    encoding.randomVector(using: &randomGenerator)
                } observe: { _, _ in }
                steps += result.length
                episodeIndex += 1
                log.log(step: steps, ["random/episode_return": result.episodeReturn, "random/episode_length": Double(result.length)])
                episodes.append(index: episodeIndex - 1, kind: "random", result: result, totalSteps: steps)
            }
        }

        // MARK: - Trials: model update, then one planning episode
        for trial in firstTrial..<config.trials {
            var values: [String: Double] = [:]
            if let model = learned {
                let clock = Date()
                let report = try model.fit(on: buffer, using: &generator)
                values["model/train_loss"] = Double(report.trainLoss)
                if let validation = report.validationLoss { values["model/val_loss"] = Double(validation) }
                values["model/train_steps"] = Double(report.steps)
                values["time/model_train_s"] = Date().timeIntervalSince(clock)
                if config.output.checkpoint { try saveCheckpoint(model, in: directory) }
            }

            var planTime = 0.0, planCalls = 0
            let result = try runEpisode(&env, buffer: &buffer, seed: episodeSeed(episodeIndex), maxSteps: trialLength) { observation, environment in
                let clock = Date()
                defer { planTime += Date().timeIntervalSince(clock); planCalls += 1 }
                return agentDriver.act(observation: observation, environment: environment)
            } observe: { action, observation in
                agentDriver.observe(action: action, observation: observation)
            } start: { observation in
                agentDriver.reset(observation: observation)
            }
            steps += result.length
            episodeIndex += 1
            let msPerAction = 1000 * planTime / Double(max(planCalls, 1))
            trialReturns.append(result.episodeReturn)
            planMilliseconds.append(msPerAction)
            values["train/episode_return"] = result.episodeReturn
            values["train/episode_length"] = Double(result.length)
            values["train/trial"] = Double(trial)
            values["plan/ms_per_action"] = msPerAction
            log.log(step: steps, values)
            episodes.append(index: episodeIndex - 1, kind: "trial", result: result, totalSteps: steps, msPerAction: msPerAction)

            // MARK: logging, and what --resume needs
            try directory.write(log.jsonLines(), to: "metrics.jsonl")
            try directory.write(episodes.csv(), to: "episodes.csv")
            if config.output.checkpoint {
                try buffer.save(to: directory.file("checkpoints/replay.npz"))
                try RunState(trials: trial + 1, steps: steps, episodes: episodeIndex, generator: generator,
                             trialReturns: trialReturns, planMilliseconds: planMilliseconds,
                             elapsedSeconds: elapsedBefore + Date().timeIntervalSince(started),
                             metricRecords: log.records.count, episodeRows: episodes.count).write(to: directory)
            }
            progress.update(episode: trial + 1, of: config.trials, lastReturn: result.episodeReturn, steps: steps,
                            extra: String(format: "%.0f ms/action", msPerAction))
        }
        progress.finish()

        // MARK: - Summary
        let summary = RunSummary(runDirectory: directory.url.path, trialReturns: trialReturns, totalSteps: steps,
                                 msPerAction: planMilliseconds.isEmpty ? 0 : planMilliseconds.reduce(0, +) / Double(planMilliseconds.count),
                                 wallSeconds: elapsedBefore + Date().timeIntervalSince(started))
        try directory.write(log.jsonLines(), to: "metrics.jsonl")
        try directory.write(episodes.csv(), to: "episodes.csv")
        try directory.writeJSON([
            "trial_returns": trialReturns,
            "final_return": trialReturns.last ?? 0,
            "best_return": trialReturns.max() ?? 0,
            "total_steps": steps,
            "ms_per_action": summary.msPerAction,
            "wall_seconds": summary.wallSeconds,
        ], to: "summary.json")
        return summary
    }

    /// Each episode's reset seed, derived from the run's seed and the episode index
    /// (so an episode's start does not depend on how many random draws came before).
    func episodeSeed(_ episode: Int) -> UInt64 {
        var g = SeededGenerator(seed: UInt64(config.seed) &* 0x9E37_79B9 &+ UInt64(episode))
        return g.next()
    }
}
