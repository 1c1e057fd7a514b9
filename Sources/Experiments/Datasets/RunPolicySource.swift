import Environments
import Foundation
import Learners
import NN
import SeededRandom

/// What a run directory (`runs/{env}__{experiment}__{seed}__{timestamp}`)
/// provides for datasets: its resolved `config.yaml`, its environment, the
/// policy in its last checkpoint (`checkpoints/sac.safetensors` or
/// `checkpoints/dqn.safetensors`, the files `mbrl run --resume` restores) and
/// its replay buffer (`checkpoints/replay.npz`).
struct RunPolicySource {
    let directory: URL
    let config: ExperimentConfig
    let runner: ExperimentRunner

    /// Reads `directory/config.yaml`.
    /// - Throws: `ExperimentError.io` when the directory has no config, or a `ConfigError` for a bad one.
    init(directory path: String, registry: EnvironmentRegistry) throws {
        directory = URL(fileURLWithPath: path)
        let file = directory.appendingPathComponent("config.yaml").path
        guard FileManager.default.fileExists(atPath: file) else {
            throw ExperimentError.io(path: path, reason: "not a run directory: it has no config.yaml (expected the directory `mbrl run` wrote)")
        }
        let sweep = try ExperimentSweep.load(file: file)
        guard let run = sweep.runs.first, !sweep.isSweep else {
            throw ExperimentError.io(path: file, reason: "defines variants or seeds; a run directory's config.yaml resolves one run")
        }
        config = run.config
        runner = ExperimentRunner(config: run.config, configFile: file, registry: registry)
    }

    /// The run's environment, built from its config (id, settings, max_episode_steps).
    func makeEnvironment() throws -> any Environment { try runner.makeEnvironment() }

    /// The run's settings as `k=v` text (`DatasetMetadata.envSettings`).
    var settingsText: [String: String] { config.env.settings.mapValues(DatasetSettings.text) }

    /// The policy of the run's checkpoint for an environment with `env`'s spaces.
    /// - Throws: for a run of another algorithm, a missing checkpoint, or a
    ///   checkpoint that does not fit the run's own networks.
    func policy(for env: any Environment, stochastic: Bool, seed: UInt64) throws -> any DatasetPolicy {
        let mode = stochastic ? "stochastic" : "deterministic"
        var generator = SeededGenerator(seed: seed)
        switch config.algorithm {
        case .sac:
            let (learner, _, _) = try SACLoop.makeLearner(runner: runner, environment: env, threads: 1)
            try SafeTensorsFile.read(from: try checkpoint("sac.safetensors")) { try learner.load(checkpoint: $0) }
            return SACDatasetPolicy(learner: learner, deterministic: !stochastic,
                                    summary: "sac run \(directory.path), checkpoint \(mode) policy", generator: generator.split())
        case .dqn:
            let actions = try runner.discreteActions(of: env)
            var unused = SeededGenerator(seed: 0)
            let learner = DQNLearner(observationSize: env.observationSpace.flatSize, actionCount: actions.n,
                                     configuration: config.dqn.learnerConfiguration, generator: &unused)
            try SafeTensorsFile.read(from: try checkpoint("dqn.safetensors")) { try learner.load(checkpoint: $0) }
            let epsilon = stochastic ? config.dqn.endE : 0
            return DQNDatasetPolicy(learner: learner, start: actions.start, epsilon: epsilon,
                                    summary: "dqn run \(directory.path), checkpoint \(stochastic ? "ε-greedy (ε = end_e = \(epsilon))" : "greedy") policy",
                                    generator: generator.split())
        default:
            throw ExperimentError.io(path: directory.path, reason:
                "is a \(config.algorithm.rawValue) run; a policy to collect with comes from a sac or dqn run's checkpoint")
        }
    }

    /// `checkpoints/<name>`, which must exist.
    func checkpoint(_ name: String) throws -> URL {
        let url = directory.appendingPathComponent("checkpoints").appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ExperimentError.io(path: url.path, reason:
                "no checkpoint: the run reached no checkpoint or ran with output.checkpoint: false")
        }
        return url
    }
}
