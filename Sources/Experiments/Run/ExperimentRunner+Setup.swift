import Environments
import Foundation
import NN
import Planning
import Replay
import SeededRandom
import WorldModels

/// What the runner needs from an MPC agent, whatever its model's type
/// (`MPCAgent<Model>` for any `WorldModel`).
protocol PlanningAgent: AnyObject {
    var generators: [SeededGenerator] { get set }
    var lastPlanDiverged: Bool { get }
    func reset(observation: [Float])
    func act(observation: [Float]) -> [Float]
    func observe(action: [Float], observation: [Float])
}

extension MPCAgent: PlanningAgent {}

/// The agent of a run: MPC on a learned world model, or on the true dynamics.
enum AgentDriver {
    case learned(any PlanningAgent)
    /// The oracle plans from a snapshot of the real environment at every step.
    case oracle(MPCAgent<OracleModel>, OracleModel)

    func reset(observation: [Float]) {
        switch self {
        case .learned(let agent): agent.reset(observation: observation)
        case .oracle(let agent, _): agent.reset(observation: observation)
        }
    }

    func act(observation: [Float], environment: any Environment) -> [Float] {
        switch self {
        case .learned(let agent):
            return agent.act(observation: observation)
        case .oracle(let agent, let model):
            if let snapshot = environment.snapshot() { agent.state = model.state(from: snapshot) }
            return agent.act(observation: observation)
        }
    }

    func observe(action: [Float], observation: [Float]) {
        switch self {
        case .learned(let agent): agent.observe(action: action, observation: observation)
        case .oracle: break
        }
    }

    /// Whether every candidate value of the agent's last plan was non-finite.
    var lastPlanDiverged: Bool {
        switch self {
        case .learned(let agent): return agent.lastPlanDiverged
        case .oracle(let agent, _): return agent.lastPlanDiverged
        }
    }

    /// The agent's random streams (planner and imagination), for checkpoints.
    var generators: [SeededGenerator] {
        get {
            switch self {
            case .learned(let agent): return agent.generators
            case .oracle(let agent, _): return agent.generators
            }
        }
        nonmutating set {
            switch self {
            case .learned(let agent): agent.generators = newValue
            case .oracle(let agent, _): agent.generators = newValue
            }
        }
    }
}

/// An MPC agent over `model` (opens the existential `any TrainableWorldModel`).
func makePlanningAgent<Model: WorldModel>(model: Model, planner: any Planner, particles: Int,
                                          rewardFunction: (any RewardFunction)?, replanEvery: Int,
                                          generator: SeededGenerator) -> any PlanningAgent {
    MPCAgent(model: model, planner: planner, particles: particles, rewardFunction: rewardFunction,
             replanEvery: replanEvery, generator: generator)
}

extension ExperimentRunner {
    /// The environment of `env` (`EnvConfig.makeEnvironment(in:)`) from this
    /// runner's registry; an unknown id, a bad setting or an external command
    /// that fails to start is a config error at its key (`env.id`,
    /// `env.settings.KEY`) with the place it was set and the registry's closest ids.
    public func makeEnvironment() throws -> any Environment {
        do {
            return try config.env.makeEnvironment(in: registry)
        } catch let error as EnvironmentError {
            throw located(ConfigError(.rejected(reason: error.description), keyPath: EnvConfig.keyPath(of: error)))
        }
    }

    func makePlanner(encoding: ActionEncoding) throws -> any Planner {
        let bounds = ActionBounds(lower: encoding.bounds.lower, upper: encoding.bounds.upper)
        let p = config.planner
        switch p.kind {
        case .cem:
            return CEMPlanner(horizon: p.horizon, bounds: bounds, population: p.population,
                              elites: max(1, Int((p.eliteRatio * Double(p.population)).rounded())),
                              iterations: p.iterations, alpha: Float(p.alpha))
        case .mppi:
            return MPPIPlanner(horizon: p.horizon, bounds: bounds, population: p.population, iterations: p.iterations,
                               temperature: Float(p.mppiTemperature), noiseStd: Float(p.mppiNoiseStd))
        case .randomShooting:
            return RandomShootingPlanner(horizon: p.horizon, bounds: bounds, population: p.population)
        }
    }

    /// The learned world model of `model.backbone` (the PETS ensemble for `mlp`,
    /// a sequence world model otherwise), with the planner's particle propagation.
    func makeWorldModel(observationSize: Int, actionSize: Int, threads: Int?,
                        generator: inout SeededGenerator) throws -> any TrainableWorldModel {
        var settings = config.model.worldModelSettings
        settings.ensemble.threads = threads
        switch config.planner.propagation {
        case .tsInf: settings.ensemble.propagation = .tsInfinity; settings.sequence.propagation = .tsInfinity
        case .ts1 where config.model.isSequenceBackbone:
            // `ExperimentConfig.validate()` rejects this pair; a config built in code can still hold it
            throw ExperimentError.unavailable(key: "planner.propagation", value: "ts1",
                                              reason: "a sequence backbone keeps one member per particle (ts_inf or mean)")
        case .ts1: settings.ensemble.propagation = .tsOne
        case .mean: settings.ensemble.propagation = .mean; settings.sequence.propagation = .mean
        }
        do {
            return try WorldModels.makeWorldModel(settings: settings, observationSize: observationSize,
                                                  actionSize: actionSize, seed: generator.next())
        } catch let error as WorldModelFactoryError {
            throw ExperimentError.unavailable(key: "model.backbone", value: config.model.backbone.rawValue, reason: error.description)
        }
    }

    /// The known reward function when the model does not learn rewards.
    func rewardFunction() throws -> (any RewardFunction)? {
        guard !config.model.learnedReward else { return nil }
        guard let function = KnownRewardFunctions.forEnvironment(config.env.id, settings: config.env.settings) else {
            throw ExperimentError.unavailable(
                key: "model.learned_reward", value: "false",
                reason: "no known reward function for \(config.env.id) (known: \(KnownRewardFunctions.environmentIDs.joined(separator: ", "))); set model.learned_reward=true")
        }
        return function
    }

    func makeRunDirectory(options: RunOptions, started: Date) throws -> RunDirectory {
        if let resume = options.resumeDirectory {
            return try RunDirectory(url: URL(fileURLWithPath: resume), resume: true)
        }
        if let exact = options.runDirectory {
            return try RunDirectory(adopting: URL(fileURLWithPath: exact))
        }
        let root = options.outputRoot ?? config.output.dir
        let name = RunDirectory.name(environment: config.env.id, experiment: config.name, seed: config.seed, date: started)
        return try RunDirectory(url: URL(fileURLWithPath: root).appendingPathComponent(name))
    }

    /// `run.json`: what is needed to reproduce and to group the run.
    func runRecord(options: RunOptions, started: Date) throws -> [String: Any] {
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(config))
        var flat: [String: Any] = [:]
        func flatten(_ value: Any, _ prefix: String) {
            if let object = value as? [String: Any] {
                for (key, child) in object { flatten(child, prefix.isEmpty ? key : "\(prefix).\(key)") }
            } else if !(value is NSNull) {
                flat[prefix] = value
            }
        }
        flatten(encoded, "")
        let formatter = ISO8601DateFormatter()
        let environment = ProcessInfo.processInfo.environment
        return [
            "seed": config.seed,
            "config": flat,
            "config_file": configFile ?? NSNull(),
            "overrides": overrides,
            "command_line": options.commandLine,
            "started": formatter.string(from: started),
            "versions": ["mbrl": MBRLVersion.string, "swift": MBRLVersion.compiler],
            "machine": [
                "cores": ProcessInfo.processInfo.activeProcessorCount,
                "openblas_coretype": environment["OPENBLAS_CORETYPE"] ?? NSNull(),
            ] as [String: Any],
        ]
    }

    /// The model's weights and normalisers as `checkpoints/model.safetensors`.
    func saveCheckpoint(_ model: any TrainableWorldModel, in directory: RunDirectory) throws {
        try model.checkpoint().write(to: directory.file("checkpoints/model.safetensors"))
    }

    /// Loads what `saveCheckpoint` wrote, for `--resume`.
    func loadCheckpoint(_ model: any TrainableWorldModel, in directory: RunDirectory) throws {
        try model.load(checkpointAt: directory.file("checkpoints/model.safetensors"))
    }
}

/// The framework's version, recorded in every run directory.
public enum MBRLVersion {
    public static let string = "0.1.0"
    #if compiler(>=6.3)
    public static let compiler = "Swift 6.3+"
    #elseif compiler(>=6.0)
    public static let compiler = "Swift 6.x"
    #else
    public static let compiler = "Swift 5.x"
    #endif
}
