/// `dyna_q:` (with `algorithm: dyna_q`): tabular Q-learning with `planning_steps`
/// Dyna planning updates per real step from a learned deterministic tabular
/// model (Sutton & Barto 2018, §8.2 "Tabular Dyna-Q"; `planning_steps: 0` is
/// one-step Q-learning), and with `exploration_bonus` κ > 0 Dyna-Q+'s bonus
/// κ√τ for transitions untried for τ steps (§8.3). Defaults are the book's
/// Dyna maze (Example 8.1, Figure 8.2): α 0.1, γ 0.95, ε 0.1, 50 episodes.
///
/// Needs an environment with `Discrete` observations and actions (a table
/// row per state), e.g. `DynaMaze-v0`.
public struct DynaQConfig: ConfigSection {
    /// Real episodes to run.
    public var episodes = 50
    /// Step size α of the Q-learning update.
    public var learningRate = 0.1
    /// Discount γ.
    public var gamma = 0.95
    /// Probability of a uniformly random action (ε-greedy; ties among greedy actions are broken at random).
    public var epsilon = 0.1
    /// Planning updates n from the learned model after each real step (0: plain Q-learning).
    public var planningSteps = 0
    /// Dyna-Q+ bonus κ: planning rewards r + κ√τ (0: Dyna-Q).
    public var explorationBonus = 0.0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case episodes
        case learningRate = "learning_rate"
        case gamma, epsilon
        case planningSteps = "planning_steps"
        case explorationBonus = "exploration_bonus"
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.update(&episodes, .episodes)
        try c.update(&learningRate, .learningRate)
        try c.update(&gamma, .gamma)
        try c.update(&epsilon, .epsilon)
        try c.update(&planningSteps, .planningSteps)
        try c.update(&explorationBonus, .explorationBonus)
    }

    public func validate() throws {
        try requireAtLeast(episodes, 1, "episodes")
        try requireInterval(learningRate, "learning_rate", 0, 1, lowOpen: true)
        try requireInterval(gamma, "gamma", 0, 1)
        try requireInterval(epsilon, "epsilon", 0, 1)
        try requireAtLeast(planningSteps, 0, "planning_steps")
        try requireInterval(explorationBonus, "exploration_bonus", 0, .greatestFiniteMagnitude)
    }
}
