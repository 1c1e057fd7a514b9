import Environments
import Foundation
import Replay
import SeededRandom

/// Records a D4RL-layout dataset (`OfflineDataset` with `DatasetMetadata`)
/// by running a policy in an environment for exactly `steps` transitions:
/// `mbrl dataset collect`.
///
/// Episode `k` starts from `reset(seed:)` with a seed derived from `seed` and
/// `k` (as the runner's episodes do); the policy's generator is split from
/// `seed`, so the same arguments give the same file. As in D4RL, `terminals`
/// is the environment's `terminated` and `timeouts` its `truncated`; an
/// episode the step budget cuts off keeps both flags false (the metadata
/// counts it as incomplete).
///
/// Cost: the environment's and policy's steps plus one append per field and
/// step into arrays reserved up front.
public struct DatasetCollector {
    /// Where the actions come from.
    public enum PolicySource: Equatable, Sendable {
        /// Uniform over the action space.
        case random
        /// The checkpoint of a `sac` or `dqn` run directory (deterministic unless `stochastic`).
        case run(directory: String, stochastic: Bool)
        /// `PointMaze-v0` only: `PointMazeWaypointController` for the `layout` setting, with
        /// Gaussian action noise of standard deviation `noise` (0: none).
        case waypoint(noise: Double)
    }

    /// The environment id; `nil` takes the run directory's (only with `.run`).
    public var environmentID: String?
    /// Settings as `k=v` pairs (`DatasetSettings`); with a run directory and no id, the run's are used.
    public var settings: [String] = []
    /// Truncate episodes after this many steps (nil: the environment's own limit).
    public var maxEpisodeSteps: Int?
    public var steps: Int
    public var seed: UInt64
    public var level: DatasetMetadata.Level
    public var policy: PolicySource
    public var registry: EnvironmentRegistry

    public init(environmentID: String?, settings: [String] = [], maxEpisodeSteps: Int? = nil, steps: Int, seed: UInt64,
                level: DatasetMetadata.Level, policy: PolicySource, registry: EnvironmentRegistry = .builtin) {
        self.environmentID = environmentID
        self.settings = settings
        self.maxEpisodeSteps = maxEpisodeSteps
        self.steps = steps
        self.seed = seed
        self.level = level
        self.policy = policy
        self.registry = registry
    }

    /// Runs the policy and returns the dataset with its metadata.
    /// - Throws: for an unknown environment or setting, a run directory without
    ///   a usable checkpoint, an environment whose spaces do not fit the run's
    ///   policy (naming both shapes), an environment failure, or a NaN/inf
    ///   observation or reward (naming the array and row).
    public func collect() throws -> OfflineDataset {
        guard steps > 0 else { throw ExperimentError.failed("--steps must be positive, got \(steps)") }
        var generator = SeededGenerator(seed: seed)
        // MARK: - Environment and policy
        var env: any Environment, envID: String, settingsText: [String: String], limit = maxEpisodeSteps
        var actor: any DatasetPolicy
        switch policy {
        case .random:
            guard let environmentID else { throw ExperimentError.failed("--env is required with --policy random") }
            (env, settingsText) = try makeEnvironment(environmentID)
            envID = environmentID
            actor = RandomDatasetPolicy(space: env.actionSpace, generator: generator.split())
        case .waypoint(let noise):
            guard environmentID == PointMaze.id else {
                throw ExperimentError.failed("--policy waypoint drives \(PointMaze.id) only; give --env \(PointMaze.id)"
                                             + (environmentID.map { " (not \($0))" } ?? ""))
            }
            guard noise.isFinite, noise >= 0 else { throw ExperimentError.failed("--noise must be a finite number ≥ 0, got \(noise)") }
            (env, settingsText) = try makeEnvironment(PointMaze.id)
            envID = PointMaze.id
            let maze = try settingsText["layout"].map { try PointMaze(layout: $0) } ?? PointMaze()
            actor = WaypointDatasetPolicy(controller: PointMazeWaypointController(maze: maze), noise: noise, generator: generator.split())
        case .run(let directory, let stochastic):
            let run = try RunPolicySource(directory: directory, registry: registry)
            let runEnv = try run.makeEnvironment()
            if let environmentID {
                (env, settingsText) = try makeEnvironment(environmentID)
                envID = environmentID
                try Self.checkSpaces(of: env, id: environmentID, against: runEnv, run: directory)
            } else {
                guard settings.isEmpty, maxEpisodeSteps == nil else {
                    throw ExperimentError.failed("--settings and --max-episode-steps apply to --env; without it the run's "
                                                 + "environment is used as its config.yaml sets it up")
                }
                (env, envID, settingsText) = (runEnv, run.config.env.id, run.settingsText)
                limit = run.config.env.maxEpisodeSteps
            }
            actor = try run.policy(for: runEnv, stochastic: stochastic, seed: generator.next())
        }
        let observationSize = env.observationSpace.flatSize, actionSize = env.actionSpace.flatSize

        // MARK: - Steps
        var observations: [Float] = [], actions: [Float] = [], rewards: [Float] = [], next: [Float] = []
        var terminals: [Bool] = [], timeouts: [Bool] = []
        observations.reserveCapacity(steps * observationSize); next.reserveCapacity(steps * observationSize)
        actions.reserveCapacity(steps * actionSize); rewards.reserveCapacity(steps)
        terminals.reserveCapacity(steps); timeouts.reserveCapacity(steps)
        var episode = 0
        var observation = try env.reset(seed: Self.episodeSeed(seed, episode)).observation
        for _ in 0..<steps {
            let action = actor.action(for: observation)
            let result = try env.step(action)
            observations.append(contentsOf: observation)
            switch action {
            case .discrete(let i): actions.append(Float(i))
            case .continuous(let v): actions.append(contentsOf: v)
            }
            rewards.append(Float(result.reward))
            next.append(contentsOf: result.observation)
            terminals.append(result.terminated)
            timeouts.append(result.truncated)
            if result.done {
                episode += 1
                observation = try env.reset(seed: Self.episodeSeed(seed, episode)).observation
            } else {
                observation = result.observation
            }
        }
        guard observations.count == steps * observationSize, actions.count == steps * actionSize else {
            throw ExperimentError.failed("\(envID) returned observations or took actions of another size than its spaces "
                                         + "\(env.observationSpace) and \(env.actionSpace) say")
        }

        // MARK: - Dataset and metadata
        var dataset = OfflineDataset(observationSize: observationSize, actionSize: actionSize, observations: observations,
                                     actions: actions, rewards: rewards, nextObservations: next,
                                     terminals: terminals, timeouts: timeouts)
        try dataset.checkFinite(file: "collection on \(envID)")   // a diverging environment writes no file
        dataset.metadata = DatasetMetadata(envID: envID, envSettings: settingsText, maxEpisodeSteps: limit, policy: actor.summary,
                                           level: level, seed: seed, steps: steps, episodes: dataset.episodeReturns,
                                           sources: policySources)
        return dataset
    }

    private var policySources: [String] {
        if case .run(let directory, _) = policy { return [directory] }
        return []
    }

    /// The environment `id` with the `k=v` settings and `maxEpisodeSteps`, and the settings' text.
    private func makeEnvironment(_ id: String) throws -> (any Environment, [String: String]) {
        let (values, text) = try DatasetSettings.parse(settings)
        let spec = try registry.spec(id)
        var settings = values
        if let maxEpisodeSteps {
            guard maxEpisodeSteps > 0 else { throw ExperimentError.failed("--max-episode-steps must be positive, got \(maxEpisodeSteps)") }
            if spec.settings.contains(where: { $0.key == "max_episode_steps" }) {
                settings["max_episode_steps"] = .int(maxEpisodeSteps)
            } else {
                return (TimeLimit(AnyEnvironment(try registry.make(id, settings: settings)), maxEpisodeSteps: maxEpisodeSteps), text)
            }
        }
        return (try registry.make(id, settings: settings), text)
    }

    /// `env` must have the spaces the run's policy was trained on.
    static func checkSpaces(of env: any Environment, id: String, against runEnv: any Environment, run: String) throws {
        func shape(_ space: Space) -> String {
            if case .box(let box) = space { return "shape \(box.shape)" }
            return "\(space)"
        }
        guard env.observationSpace.flatSize == runEnv.observationSpace.flatSize, env.actionSpace == runEnv.actionSpace else {
            throw ExperimentError.failed("\(id)'s observations (\(shape(env.observationSpace))) and actions (\(env.actionSpace)) "
                                         + "do not fit the policy of \(run), trained on observations (\(shape(runEnv.observationSpace))) "
                                         + "and actions (\(runEnv.actionSpace))")
        }
    }

    /// Episode `k`'s reset seed (the runner's derivation: independent of the draws before it).
    static func episodeSeed(_ seed: UInt64, _ episode: Int) -> UInt64 {
        var g = SeededGenerator(seed: seed &* 0x9E37_79B9 &+ UInt64(episode))
        return g.next()
    }
}
