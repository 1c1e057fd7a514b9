/// A whole experiment, as read from `Configs/*.yaml`. `algorithm:` selects the
/// loop (`Algorithm`): PETS-style model-based RL by default (random steps, then
/// trials of MPC with a model retrained after each), or Dyna-Q, DQN, SAC or
/// MBPO, each with its own section (`dyna_q:`, `dqn:`, `sac:`, `mbpo:`).
/// Keys of a loop that is not selected are errors naming the algorithm they
/// belong to (`planner:` with `algorithm: sac`), as the planner's variant keys are.
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
    /// The training loop: pets | dyna_q | dqn | sac | mbpo | mopo | morel | ravl | offline_mbpo | bc | td3_bc.
    public var algorithm: Algorithm = .pets
    /// The environment.
    public var env = EnvConfig()
    /// Environment steps to run, exploration and learning_starts included (dqn, sac, mbpo).
    public var totalSteps = 10_000
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
    /// Run directory and checkpoints.
    public var output = OutputConfig()
    /// What `mbrl eval-model` measures (open-loop error or the T-maze memory probe).
    public var evaluation = EvaluationConfig()
    /// How the policy is evaluated while it learns (every algorithm; by default every 1000 steps, never for pets).
    public var eval = PolicyEvaluationConfig(for: .pets)
    /// Tabular Q-learning / Dyna-Q (algorithm: dyna_q).
    public var dynaQ = DynaQConfig()
    /// DQN (algorithm: dqn).
    public var dqn = DQNConfig()
    /// SAC (algorithm: sac, and the learner of mbpo).
    public var sac = SACConfig()
    /// MBPO's loop (algorithm: mbpo).
    public var mbpo = MBPOConfig()
    /// The dataset and loop of the offline algorithms (mopo, morel, ravl, offline_mbpo, bc, td3_bc).
    public var offline = OfflineConfig()
    /// TD3+BC (algorithm: td3_bc).
    public var td3BC = TD3BCConfig()
    /// Behaviour cloning (algorithm: bc).
    public var bc = BCConfig()

    public init() {}

    enum CodingKeys: String, CodingKey {
        case name, seed, algorithm, env
        case totalSteps = "total_steps"
        case trials
        case initialRandomSteps = "initial_random_steps"
        case trialLength = "trial_length"
        case model, planner
        case output, evaluation, eval
        case dynaQ = "dyna_q"
        case dqn, sac, mbpo, offline
        case td3BC = "td3_bc"
        case bc
        /// Keys of a sweep file (`ExperimentSweep`), never of one resolved config.
        case variants, seeds
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.update(&name, .name)
        try c.update(&seed, .seed)
        try c.update(&algorithm, .algorithm)
        let algorithm = self.algorithm
        func belongsTo(_ algorithms: [Algorithm]) -> (CodingKeys) -> String {
            let names = algorithms.map(\.rawValue).joined(separator: " or ")
            return { key in
                "applies only when algorithm is \(names), but algorithm is \(algorithm.rawValue); remove it "
                    + "(on the command line: \(key.stringValue)=) or set algorithm to \(names) "
                    + "(choices: \(Algorithm.choices.joined(separator: ", ")))"
            }
        }
        try c.reject([.trials, .initialRandomSteps, .trialLength, .planner],
                     unless: algorithm == .pets, belongsTo([.pets]))
        try c.reject([.model], unless: algorithm.usesWorldModel, belongsTo(Algorithm.allCases.filter(\.usesWorldModel)))
        try c.reject([.totalSteps], unless: algorithm.usesTotalSteps, belongsTo([.dqn, .sac, .mbpo]))
        try c.reject([.dynaQ], unless: algorithm == .dynaQ, belongsTo([.dynaQ]))
        try c.reject([.dqn], unless: algorithm == .dqn, belongsTo([.dqn]))
        try c.reject([.sac], unless: algorithm.usesSAC, belongsTo(Algorithm.allCases.filter(\.usesSAC)))
        try c.reject([.mbpo], unless: algorithm == .mbpo, belongsTo([.mbpo]))
        try c.reject([.offline], unless: algorithm.isOffline, belongsTo(Algorithm.allCases.filter(\.isOffline)))
        try c.reject([.td3BC], unless: algorithm == .td3BC, belongsTo([.td3BC]))
        try c.reject([.bc], unless: algorithm == .bc, belongsTo([.bc]))
        eval = PolicyEvaluationConfig(for: algorithm)
        try c.update(&env, .env)
        try c.update(&totalSteps, .totalSteps)
        try c.update(&trials, .trials)
        try c.update(&initialRandomSteps, .initialRandomSteps)
        try c.update(&trialLength, .trialLength)
        try c.update(&model, .model)
        try c.update(&planner, .planner)
        try c.update(&output, .output)
        try c.update(&evaluation, .evaluation)
        try c.update(&eval, .eval)
        try c.update(&dynaQ, .dynaQ)
        try c.update(&dqn, .dqn)
        try c.update(&sac, .sac)
        try c.update(&mbpo, .mbpo)
        try c.update(&offline, .offline)
        try c.update(&td3BC, .td3BC)
        try c.update(&bc, .bc)
        try c.reject([.variants, .seeds], unless: false) { key in
            "makes the file a sweep of several runs; load it with ExperimentSweep.load (as mbrl run and mbrl eval-model do), "
                + "which resolves each run without this key"
        }
    }

    /// Writes every key that applies to `algorithm`, in declaration order,
    /// `nil` as `null` (so a rendered config decodes again).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(seed, forKey: .seed)
        try c.encode(algorithm, forKey: .algorithm)
        try c.encode(env, forKey: .env)
        if algorithm.usesTotalSteps { try c.encode(totalSteps, forKey: .totalSteps) }
        if algorithm == .pets {
            try c.encode(trials, forKey: .trials)
            try c.encode(initialRandomSteps, forKey: .initialRandomSteps)
            try c.encode(trialLength, forKey: .trialLength)
        }
        if algorithm.usesWorldModel { try c.encode(model, forKey: .model) }
        if algorithm == .pets { try c.encode(planner, forKey: .planner) }
        if algorithm == .dynaQ { try c.encode(dynaQ, forKey: .dynaQ) }
        if algorithm == .dqn { try c.encode(dqn, forKey: .dqn) }
        if algorithm.usesSAC { try c.encode(sac, forKey: .sac) }
        if algorithm == .mbpo { try c.encode(mbpo, forKey: .mbpo) }
        if algorithm.isOffline { try c.encode(offline, forKey: .offline) }
        if algorithm == .td3BC { try c.encode(td3BC, forKey: .td3BC) }
        if algorithm == .bc { try c.encode(bc, forKey: .bc) }
        try c.encode(eval, forKey: .eval)
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
        try validating("eval") { try eval.validate() }
        if algorithm.usesTotalSteps { try requireAtLeast(totalSteps, 1, "total_steps") }
        if model.isSequenceBackbone && planner.propagation == .ts1 {
            try validating("planner") { try require(false, "propagation",
                expected: "ts_inf or mean with a sequence backbone (its particles keep one member each for the whole horizon: "
                    + "a recurrent state cannot switch members between steps); ts1 needs model.backbone mlp", found: "ts1") }
        }
        switch algorithm {
        case .pets: break
        case .dynaQ: try validating("dyna_q") { try dynaQ.validate() }
        case .dqn: try validating("dqn") { try dqn.validate() }
        case .sac: try validating("sac") { try sac.validate() }
        case .mopo, .morel, .ravl, .offlineMBPO:
            try validating("sac") { try sac.validate() }
            try validating("offline") { try offline.validate() }
        case .bc:
            try validating("bc") { try bc.validate() }
            try validating("offline") { try offline.validate() }
        case .td3BC:
            try validating("td3_bc") { try td3BC.validate() }
            try validating("offline") { try offline.validate() }
        case .mbpo:
            try validating("sac") { try sac.validate() }
            try validating("mbpo") { try mbpo.validate() }
            if mbpo.termination == .learned {
                try validating("mbpo") { try require(model.isSequenceBackbone, "termination",
                            expected: "known or none with model.backbone mlp (the MLP ensemble learns no termination; "
                                + "learned needs a sequence backbone: \(ModelBackbone.choices.filter { $0 != "mlp" }.joined(separator: ", ")))",
                            found: "learned") }
            }
        }
    }
}
