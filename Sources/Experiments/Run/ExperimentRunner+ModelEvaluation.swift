import Environments
import Foundation
import Replay
import SeededRandom
import WorldModels

extension ExperimentRunner {
    /// Trains the config's world model on `trainSteps` random-action steps and
    /// measures its open-loop prediction error (`ModelEvaluation`: k-step
    /// observation RMSE for k = 1...`horizon`, reward RMSE, continuation
    /// accuracy, parameters, training and imagination throughput) on
    /// `heldOutEpisodes` separately collected random episodes. Every backbone
    /// is evaluated on the same data for the same seed, so the results compare.
    /// Predictions are the model's mean (mean propagation), not samples.
    /// Writes `evaluation.json` to a new run directory and returns the result.
    public func evaluateModel(trainSteps: Int, heldOutEpisodes: Int, horizon: Int,
                              options: RunOptions = RunOptions()) throws -> (evaluation: ModelEvaluation, directory: URL) {
        guard trainSteps > 0, heldOutEpisodes > 0, horizon > 0 else {
            throw ExperimentError.failed("eval-model: --train-steps, --episodes and --horizon must be positive")
        }
        guard config.model.kind == .learned else {
            throw ExperimentError.unavailable(key: "model.kind", value: "oracle", reason: "eval-model evaluates a learned model")
        }
        guard config.planner.propagation == .mean else {
            var meanConfig = config
            meanConfig.planner.propagation = .mean
            return try ExperimentRunner(config: meanConfig, configFile: configFile, overrides: overrides, registry: registry)
                .evaluateModel(trainSteps: trainSteps, heldOutEpisodes: heldOutEpisodes, horizon: horizon, options: options)
        }
        var env = try makeEnvironment()
        let encoding = ActionEncoding(space: env.actionSpace)
        let observationSize = env.observationSpace.flatSize
        var generator = SeededGenerator(seed: UInt64(config.seed))
        let model = try makeWorldModel(observationSize: observationSize, actionSize: encoding.size,
                                       threads: options.threads, generator: &generator)
        let started = Date()
        let directory = try makeRunDirectory(options: options, started: started)
        try directory.write(config.renderedYAML(), to: "config.yaml")
        try directory.writeJSON(runRecord(options: options, started: started), to: "run.json")

        // MARK: data: random actions, training steps then held-out episodes
        var randomGenerator = generator.split()
        func collect(into buffer: inout ReplayBuffer, steps: Int?, episodes: Int?, firstEpisode: Int) throws -> Int {
            var collected = 0, episode = firstEpisode
            while (steps.map { collected < $0 } ?? true) && (episodes.map { episode - firstEpisode < $0 } ?? true) {
                let result = try runEpisode(&env, buffer: &buffer, seed: episodeSeed(episode),
                                            maxSteps: min(config.trialLength ?? Int.max, steps.map { $0 - collected } ?? Int.max)) { _, _ in
                    encoding.randomVector(using: &randomGenerator)
                } observe: { _, _ in }
                collected += result.length
                episode += 1
            }
            return episode
        }
        var train = ReplayBuffer(capacity: trainSteps, observationSize: observationSize, actionSize: encoding.size)
        let next = try collect(into: &train, steps: trainSteps, episodes: nil, firstEpisode: 0)
        var heldOut = ReplayBuffer(capacity: 100_000, observationSize: observationSize, actionSize: encoding.size)
        _ = try collect(into: &heldOut, steps: nil, episodes: heldOutEpisodes, firstEpisode: next + 1_000_000)

        // MARK: train, evaluate, measure imagination
        let clock = Date()
        let summary = try model.fit(on: train, using: &generator)
        let trainSeconds = Date().timeIntervalSince(clock)
        var evaluation = ModelEvaluation.evaluate(
            model, on: Array(heldOut.episodes), horizon: horizon, name: config.model.backbone.rawValue,
            parameterCount: model.parameterCount,
            trainingStepsPerSecond: summary.stepsPerSecond ?? Double(summary.steps) / max(trainSeconds, 1e-9),
            using: &generator)
        let start = Array(heldOut.episodes.first!.observations.prefix(observationSize))
        evaluation.imaginationRowStepsPerSecond = ModelEvaluation.measureImagination(model, observation: start, using: &generator)
        try evaluation.write(to: directory.file("evaluation.json"))
        return (evaluation, directory.url)
    }
}
