/// `eval:`: how a run measures its policy while it learns, as learners are
/// compared (CleanRL's `evaluate`, mbrl-lib's per-epoch evaluation): every
/// `every` environment steps, `episodes` episodes of the *deterministic*
/// policy (greedy Q, SAC's tanh(μ), Dyna-Q's greedy action; PETS plans with
/// its planner) on a separate environment instance whose episodes take their
/// own seeds (the same start states at every evaluation), logged as
/// `eval/episode_return` (the mean) against environment steps. Evaluation
/// never adds data to the replay buffer.
public struct PolicyEvaluationConfig: ConfigSection {
    /// Environment steps between evaluations (0: never; the first evaluation comes after `every` steps). Default 1000, and 0 for pets (its trials are already episodes of its planner, and planning is costly).
    public var every = 1000
    /// Episodes per evaluation (the mean return is logged).
    public var episodes = 5

    public init() {}

    /// The defaults for `algorithm` (`every` 0 for pets; for offline
    /// algorithms `every` counts gradient steps: 5000, with 10 episodes).
    public init(for algorithm: Algorithm) {
        if algorithm == .pets { every = 0 }
        if algorithm.isOffline { (every, episodes) = (5000, 10) }
    }

    enum CodingKeys: String, CodingKey {
        case every, episodes
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.update(&every, .every)
        try c.update(&episodes, .episodes)
    }

    public func validate() throws {
        try requireAtLeast(every, 0, "every")
        try requireAtLeast(episodes, 1, "episodes")
    }

    /// Whether an evaluation falls due when the step count moves from `before` to `after`.
    public func isDue(after steps: Int, before previous: Int) -> Bool {
        every > 0 && steps / every > previous / every
    }
}
