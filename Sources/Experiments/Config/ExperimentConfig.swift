/// A whole experiment, as read from `Configs/*.yaml`: PETS-style model-based
/// RL by default (random steps, then trials of MPC with a model retrained
/// after each).
///
/// ```yaml
/// name: pets-cartpole
/// seed: 0
/// env: {id: ContinuousCartPole-v0}
/// trials: 10
/// initial_random_steps: 200
/// trial_length: 200
/// model: {members: 5, hidden_size: 200, hidden_layers: 3}
/// planner: {kind: cem, horizon: 15, population: 500}
/// output: {dir: runs}
/// ```
///
/// Load with `ConfigLoader.load(ExperimentConfig.self, file:overrides:)`;
/// every key has a default, so `{}` is a valid (PETS on continuous CartPole)
/// config. Render the resolved config with `ConfigRenderer.render(_:)`. A file
/// with `variants:` or `seeds:` is a sweep of several configs: read it with
/// `ExperimentSweep.load(file:overrides:)`.
public struct ExperimentConfig: ConfigSection {
    /// Experiment name, used in run directory names (letters, digits, '.', '_', '-').
    public var name = "pets"
    /// Seed of every random choice in the run (environment, exploration, initialisation, planning).
    public var seed = 0
    /// The environment.
    public var env = EnvConfig()
    /// Episodes of planning (after the random steps), retraining the model before each.
    public var trials = 10
    /// Steps of uniformly random actions collected before the first trial.
    public var initialRandomSteps = 200
    /// Steps per trial episode (nil: until the episode ends).
    public var trialLength: Int?
    /// The world model.
    public var model = ModelConfig()
    /// The MPC planner.
    public var planner = PlannerConfig()
    /// How actions are chosen during trials: mpc (planner over the model) | random (uniform random, a baseline); nil means mpc.
    public var agentKind: AgentKind?
    /// Run directory and checkpoints.
    public var output = OutputConfig()
    /// What `mbrl eval-model` measures (open-loop error or the T-maze memory probe).
    public var evaluation = EvaluationConfig()

    public init() {}

    enum CodingKeys: String, CodingKey {
        case name, seed, env, trials
        case initialRandomSteps = "initial_random_steps"
        case trialLength = "trial_length"
        case model, planner
        case agentKind = "agent_kind"
        case output, evaluation
        /// Keys of a sweep file (`ExperimentSweep`), never of one resolved config.
        case variants, seeds
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.update(&name, .name)
        try c.update(&seed, .seed)
        try c.update(&env, .env)
        try c.update(&trials, .trials)
        try c.update(&initialRandomSteps, .initialRandomSteps)
        try c.update(&trialLength, .trialLength)
        try c.update(&model, .model)
        try c.update(&planner, .planner)
        try c.update(&agentKind, .agentKind)
        try c.update(&output, .output)
        try c.update(&evaluation, .evaluation)
        try c.reject([.variants, .seeds], unless: false) { key in
            "makes the file a sweep of several runs; load it with ExperimentSweep.load (as mbrl run and mbrl eval-model do), "
                + "which resolves each run without this key"
        }
    }

    /// Writes every key in declaration order, `nil` as `null`.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(seed, forKey: .seed)
        try c.encode(env, forKey: .env)
        try c.encode(trials, forKey: .trials)
        try c.encode(initialRandomSteps, forKey: .initialRandomSteps)
        try c.encode(trialLength, forKey: .trialLength)
        try c.encode(model, forKey: .model)
        try c.encode(planner, forKey: .planner)
        try c.encode(agentKind, forKey: .agentKind)
        try c.encode(output, forKey: .output)
        try c.encode(evaluation, forKey: .evaluation)
    }

    public func validate() throws {
        let allowed = name.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "._-".unicodeScalars.contains($0)
        }
        try require(!name.isEmpty && allowed, "name",
                    expected: "a non-empty name of letters, digits, '.', '_' or '-'", found: "'\(name)'")
        try requireAtLeast(seed, 0, "seed")
        try requireAtLeast(trials, 0, "trials")
        try requireAtLeast(initialRandomSteps, 0, "initial_random_steps")
        if let trialLength { try requireAtLeast(trialLength, 1, "trial_length") }
        try validating("env") { try env.validate() }
        try validating("model") { try model.validate() }
        try validating("planner") { try planner.validate() }
        try validating("output") { try output.validate() }
        try validating("evaluation") { try evaluation.validate() }
    }

    /// The agent kind in effect (`agent_kind`, defaulting to mpc).
    public var resolvedAgentKind: AgentKind { agentKind ?? .mpc }
}

/// How actions are chosen during trials.
public enum AgentKind: String, ConfigChoice {
    /// Model-predictive control: the planner over the model.
    case mpc
    /// Uniformly random actions (a baseline).
    case random
}
