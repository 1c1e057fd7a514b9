import Environments
import Foundation
import Replay
import SeededRandom
import WorldModels

/// What `mbrl eval-model` measured for one model (written as `evaluation.json`).
public enum ModelEvaluationResult: Sendable, Equatable {
    /// k-step open-loop errors on held-out random episodes (`evaluation.kind: open_loop`).
    case openLoop(ModelEvaluation)
    /// T-maze reward-sign accuracy (`evaluation.kind: memory_probe`).
    case memoryProbe(MemoryProbeEvaluation)

    /// The JSON of the evaluation (pretty-printed, sorted keys).
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        switch self {
        case .openLoop(let evaluation): return try encoder.encode(evaluation) + Data("\n".utf8)
        case .memoryProbe(let evaluation): return try encoder.encode(evaluation) + Data("\n".utf8)
        }
    }
}

/// The data an evaluation trains and scores on, collected once per seed and
/// shared by every variant of a comparison.
enum EvaluationData {
    /// Random-action training steps and held-out random episodes.
    case openLoop(train: ReplayBuffer, heldOut: ReplayBuffer)
    /// Scripted T-maze episodes for training and for testing.
    case memoryProbe(TMazeMemoryProbe, train: ReplayBuffer, test: ReplayBuffer)
}

extension ExperimentRunner {
    /// Trains the config's world model and measures it as `config.evaluation`
    /// says (`open_loop`: k-step observation RMSE for k = 1...horizon, reward
    /// RMSE, continuation accuracy, parameters, training and imagination
    /// throughput; `memory_probe`: T-maze reward-sign accuracy). Writes
    /// `config.yaml`, `run.json` and `evaluation.json` to a new run directory.
    /// The same seed gives every backbone the same data, so results compare;
    /// predictions are the model's mean (mean propagation), not samples.
    public func evaluateModel(options: RunOptions = RunOptions()) throws -> (result: ModelEvaluationResult, directory: URL) {
        let started = Date()
        let data = try collectEvaluationData()
        var (model, generator) = try makeEvaluatedModel(for: data, options: options)
        let result = try measure(model, on: data, name: config.model.backbone.rawValue, using: &generator)
        let directory = try makeRunDirectory(options: options, started: started)
        try directory.write(config.renderedYAML(), to: "config.yaml")
        try directory.writeJSON(runRecord(options: options, started: started), to: "run.json")
        try directory.write(result.json(), to: "evaluation.json")
        return (result, directory.url)
    }

    // MARK: - Data (from the seed's data stream: seed → one draw, the model's seed → split)

    /// Collects what `config.evaluation` needs. The generator is the one the
    /// model is built from, after its seed draw, split: so data depend only on
    /// the seed and the evaluation settings, never on the model.
    func collectEvaluationData() throws -> EvaluationData {
        guard config.model.kind == .learned else {
            throw ExperimentError.unavailable(key: "model.kind", value: "oracle", reason: "eval-model evaluates a learned model")
        }
        var generator = SeededGenerator(seed: UInt64(config.seed))
        _ = generator.next()
        var dataGenerator = generator.split()
        let evaluation = config.evaluation
        switch evaluation.kind {
        case .openLoop:
            var env = try makeEnvironment()
            let encoding = ActionEncoding(space: env.actionSpace)
            func collect(into buffer: inout ReplayBuffer, steps: Int?, episodes: Int?, firstEpisode: Int) throws -> Int {
                var collected = 0, episode = firstEpisode
                while (steps.map { collected < $0 } ?? true) && (episodes.map { episode - firstEpisode < $0 } ?? true) {
                    let result = try runEpisode(&env, buffer: &buffer, seed: episodeSeed(episode),
                                                maxSteps: min(config.trialLength ?? Int.max, steps.map { $0 - collected } ?? Int.max)) { _, _ in
                        encoding.randomVector(using: &dataGenerator)
                    } observe: { _, _ in }
                    collected += result.length
                    episode += 1
                }
                return episode
            }
            let observationSize = env.observationSpace.flatSize
            var train = ReplayBuffer(capacity: evaluation.trainSteps, observationSize: observationSize, actionSize: encoding.size)
            let next = try collect(into: &train, steps: evaluation.trainSteps, episodes: nil, firstEpisode: 0)
            var heldOut = ReplayBuffer(capacity: 100_000, observationSize: observationSize, actionSize: encoding.size)
            _ = try collect(into: &heldOut, steps: nil, episodes: evaluation.episodes, firstEpisode: next + 1_000_000)
            return .openLoop(train: train, heldOut: heldOut)
        case .memoryProbe:
            let probe = try memoryProbe()
            let train = try probe.collect(episodes: evaluation.trainEpisodes, using: &dataGenerator)
            let test = try probe.collect(episodes: evaluation.testEpisodes, using: &dataGenerator)
            return .memoryProbe(probe, train: train, test: test)
        }
    }

    /// The T-maze probe of `evaluation.corridor_length` with the config's other environment settings.
    func memoryProbe() throws -> TMazeMemoryProbe {
        let id = "GridWorld-MemoryTMaze-v0"
        guard config.env.id == id else {
            throw ExperimentError.failed("evaluation.kind memory_probe runs on \(id), but env.id is \(config.env.id); set env.id: \(id)")
        }
        guard config.env.settings["corridor_length"] == nil else {
            throw ExperimentError.failed("env.settings.corridor_length: with evaluation.kind memory_probe the corridor is "
                                         + "evaluation.corridor_length; remove env.settings.corridor_length")
        }
        return TMazeMemoryProbe(corridorLength: config.evaluation.corridorLength, settings: config.env.settings)
    }

    // MARK: - Build, train, measure

    /// Builds the config's model for `data` (seeded by the seed's first draw; mean
    /// propagation) and returns it with the generator its training continues
    /// from. Checks first what would make training fail: sequence models with
    /// within-episode sampling need windows no longer than the T-maze episodes.
    func makeEvaluatedModel(for data: EvaluationData, options: RunOptions) throws
        -> (model: any TrainableWorldModel, generator: SeededGenerator) {
        let sizes: (observation: Int, action: Int)
        var meanConfig = config
        meanConfig.planner.propagation = .mean
        switch data {
        case .openLoop(let train, _):
            sizes = (train.observationSize, train.actionSize)
        case .memoryProbe(let probe, let train, _):
            let model = config.model
            if config.evaluation.wholeEpisodes && model.isSequenceBackbone {
                if model.backbone == .transformer && model.transformer.contextLength < probe.episodeLength {
                    throw ExperimentError.failed(
                        "model.transformer.context_length: \(model.transformer.contextLength) is shorter than the T-maze episodes "
                            + "(\(probe.episodeLength) steps: evaluation.corridor_length + 4) that evaluation.whole_episodes trains on; "
                            + "set model.transformer.context_length to at least \(probe.episodeLength)")
                }
                meanConfig.model.sequenceLength = probe.episodeLength
            } else if model.isSequenceBackbone && model.sequenceSampling == .withinEpisode && model.sequenceLength > probe.episodeLength {
                throw ExperimentError.failed(
                    "model.sequence_length: \(model.sequenceLength) is longer than the T-maze episodes (\(probe.episodeLength) steps: "
                        + "evaluation.corridor_length + 4), so within-episode sampling finds no window; set model.sequence_length=\(probe.episodeLength) "
                        + "or evaluation.whole_episodes=true")
            }
            sizes = (train.observationSize, train.actionSize)
        }
        let runner = ExperimentRunner(config: meanConfig, configFile: configFile, overrides: overrides, registry: registry)
        var generator = SeededGenerator(seed: UInt64(config.seed))
        let model = try runner.makeWorldModel(observationSize: sizes.observation, actionSize: sizes.action,
                                              threads: options.threads, generator: &generator)
        _ = generator.split()   // the data stream (see collectEvaluationData)
        return (model, generator)
    }

    /// Trains `model` on `data` and measures it; `name` labels the result.
    func measure(_ model: any TrainableWorldModel, on data: EvaluationData, name: String,
                 using generator: inout SeededGenerator) throws -> ModelEvaluationResult {
        switch data {
        case .openLoop(let train, let heldOut):
            let clock = Date()
            let summary = try model.fit(on: train, using: &generator)
            let trainSeconds = Date().timeIntervalSince(clock)
            var evaluation = ModelEvaluation.evaluate(
                model, on: Array(heldOut.episodes), horizon: config.evaluation.horizon, name: name,
                parameterCount: model.parameterCount,
                trainingStepsPerSecond: summary.stepsPerSecond ?? Double(summary.steps) / max(trainSeconds, 1e-9),
                using: &generator)
            let start = Array(heldOut.episodes.first!.observations.prefix(train.observationSize))
            evaluation.imaginationRowStepsPerSecond = ModelEvaluation.measureImagination(model, observation: start, using: &generator)
            return .openLoop(evaluation)
        case .memoryProbe(let probe, let train, let test):
            return .memoryProbe(try probe.trainAndMeasure(model, name: name, train: train, test: test, using: &generator))
        }
    }
}
