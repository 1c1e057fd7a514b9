/// The model-predictive-control planner: an optimiser over action sequences
/// scored by imagined returns.
///
/// Defaults follow mbrl-lib's PETS CartPole example: CEM (Rubinstein 1999;
/// Chua et al. 2018) with horizon 15, population 500, 5 iterations, the best
/// 10% as elites, smoothing `alpha` 0.1 (new mean = alpha·old + (1−alpha)·elite
/// mean), 20 particles per sequence propagated with TS-inf (each particle
/// keeps one ensemble member for the whole horizon), replanning every step.
///
/// Variant-specific keys are rejected for other variants: `elite_ratio` only
/// with `cem`; `mppi_temperature` and `mppi_noise_std` only with `mppi`
/// (Williams et al. 2017: weights exp(−(J − min J)/temperature));
/// `iterations` and `alpha` not with `random_shooting` (one round of samples).
/// Every planner clips its sampled actions to the action space's bounds (there
/// is no `clip_actions` key: unclipped actions would be rejected by the environment).
public struct PlannerConfig: ConfigSection {
    /// Optimiser over action sequences: cem | mppi | random_shooting.
    public var kind: PlannerKind = .cem
    /// Planned steps per action sequence.
    public var horizon = 15
    /// Action sequences sampled per iteration.
    public var population = 500
    /// Refinement iterations per planned action (cem, mppi).
    public var iterations = 5
    /// Fraction of the population kept as elites (cem), in (0, 1].
    public var eliteRatio = 0.1
    /// Weight of the previous mean and std when refitting (cem, mppi), in [0, 1).
    public var alpha = 0.1
    /// Imagined rollouts per action sequence (returns averaged).
    public var particles = 20
    /// How particles use the ensemble: ts_inf (one member per particle for the whole horizon) | ts1 (a random member each step) | mean (the members' mean).
    public var propagation: Propagation = .tsInf
    /// MPPI temperature (mppi): lower values weight the best sequences more.
    public var mppiTemperature = 1.0
    /// Std of MPPI's Gaussian action noise, as a fraction of the action range's half-width (mppi).
    public var mppiNoiseStd = 0.5
    /// Actions executed from each plan before planning again (1: replan every step).
    public var replanEvery = 1

    public init() {}

    enum CodingKeys: String, CodingKey {
        case kind, horizon, population, iterations
        case eliteRatio = "elite_ratio"
        case alpha, particles, propagation
        case mppiTemperature = "mppi_temperature"
        case mppiNoiseStd = "mppi_noise_std"
        case replanEvery = "replan_every"
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.update(&kind, .kind)
        let kind = self.kind
        func reason(_ valid: String) -> (CodingKeys) -> String {
            { key in
                "applies only when planner.kind is \(valid), but planner.kind is \(kind.rawValue); remove it "
                    + "(on the command line: planner.\(key.stringValue)=) or set planner.kind to \(valid) "
                    + "(choices: \(PlannerKind.choices.joined(separator: ", ")))"
            }
        }
        try c.reject([.eliteRatio], unless: kind == .cem, reason("cem"))
        try c.reject([.mppiTemperature, .mppiNoiseStd], unless: kind == .mppi, reason("mppi"))
        try c.reject([.iterations, .alpha], unless: kind != .randomShooting, reason("cem or mppi"))
        try c.update(&horizon, .horizon)
        try c.update(&population, .population)
        try c.update(&iterations, .iterations)
        try c.update(&eliteRatio, .eliteRatio)
        try c.update(&alpha, .alpha)
        try c.update(&particles, .particles)
        try c.update(&propagation, .propagation)
        try c.update(&mppiTemperature, .mppiTemperature)
        try c.update(&mppiNoiseStd, .mppiNoiseStd)
        try c.update(&replanEvery, .replanEvery)
    }

    /// Writes the keys that apply to `kind` (so a rendered config decodes again).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(horizon, forKey: .horizon)
        try c.encode(population, forKey: .population)
        if kind != .randomShooting { try c.encode(iterations, forKey: .iterations) }
        if kind == .cem { try c.encode(eliteRatio, forKey: .eliteRatio) }
        if kind != .randomShooting { try c.encode(alpha, forKey: .alpha) }
        try c.encode(particles, forKey: .particles)
        try c.encode(propagation, forKey: .propagation)
        if kind == .mppi {
            try c.encode(mppiTemperature, forKey: .mppiTemperature)
            try c.encode(mppiNoiseStd, forKey: .mppiNoiseStd)
        }
        try c.encode(replanEvery, forKey: .replanEvery)
    }

    public func validate() throws {
        try requireAtLeast(horizon, 1, "horizon")
        try requireAtLeast(population, 1, "population")
        try requireAtLeast(iterations, 1, "iterations")
        try requireInterval(eliteRatio, "elite_ratio", 0, 1, lowOpen: true)
        try requireInterval(alpha, "alpha", 0, 1, highOpen: true)
        try requireAtLeast(particles, 1, "particles")
        try requirePositive(mppiTemperature, "mppi_temperature")
        try requirePositive(mppiNoiseStd, "mppi_noise_std")
        try require((1...max(horizon, 1)).contains(replanEvery), "replan_every",
                    expected: "an integer in 1...\(horizon) (at most planner.horizon)", found: String(replanEvery))
    }
}

/// An MPC optimiser.
public enum PlannerKind: String, ConfigChoice {
    /// Cross-entropy method: refit a Gaussian to the elites each iteration.
    case cem
    /// Model-predictive path integral: exponentially weighted average of noisy sequences.
    case mppi
    /// Best of one round of uniformly sampled sequences.
    case randomShooting = "random_shooting"
}

/// How imagined particles use the members of an ensemble (Chua et al. 2018, §4).
public enum Propagation: String, ConfigChoice {
    /// TS-∞: each particle keeps one bootstrap member for the whole horizon.
    case tsInf = "ts_inf"
    /// TS-1: each particle draws a member afresh every step.
    case ts1
    /// Expectation: propagate the members' mean prediction.
    case mean
}
