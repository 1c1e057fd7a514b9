/// The hyper-parameters of `DynaQLearner`: tabular Q-learning (Watkins, 1989),
/// Dyna-Q (Sutton & Barto, *Reinforcement Learning: An Introduction*, 2nd ed.,
/// §8.2) and Dyna-Q+ (§8.3). The defaults are the book's Dyna-maze settings
/// (Example 8.1: α 0.1, γ 0.95, ε 0.1) with no planning: plain Q-learning.
///
/// | field | symbol | range | meaning |
/// |---|---|---|---|
/// | `learningRate` | α | (0, 1] | step size of every Q update, real or planned |
/// | `gamma` | γ | [0, 1] | discount |
/// | `epsilon` | ε | [0, 1] | probability of a uniformly random action in `act` |
/// | `planningSteps` | n | ≥ 0 | planning updates after each real step; 0 = Q-learning |
/// | `explorationBonus` | κ | ≥ 0, finite | Dyna-Q+ bonus κ√τ on planned rewards; 0 = Dyna-Q |
///
/// `invalidReason` describes the first field out of range (for the config
/// layer's errors); `DynaQLearner` traps on an invalid configuration, a
/// programmer error by then.
public struct DynaQConfiguration: Sendable, Equatable, Codable {
    /// α: the step size of every Q update, in (0, 1].
    public var learningRate = 0.1
    /// γ: the discount, in [0, 1].
    public var gamma = 0.95
    /// ε: the probability that `act` picks a uniformly random action, in [0, 1].
    public var epsilon = 0.1
    /// n: planning updates after each real step (≥ 0); 0 is plain Q-learning.
    public var planningSteps = 0
    /// κ: Dyna-Q+'s exploration bonus (≥ 0); planned rewards become r + κ√τ and
    /// untried actions are planned. 0 is Dyna-Q.
    public var explorationBonus = 0.0

    /// The defaults: α 0.1, γ 0.95, ε 0.1, n 0, κ 0.
    public init() {}

    /// Every field given (the others at their defaults).
    public init(learningRate: Double = 0.1, gamma: Double = 0.95, epsilon: Double = 0.1, planningSteps: Int = 0,
                explorationBonus: Double = 0) {
        self.learningRate = learningRate
        self.gamma = gamma
        self.epsilon = epsilon
        self.planningSteps = planningSteps
        self.explorationBonus = explorationBonus
    }

    /// `nil` when every field is in range; otherwise a sentence naming the
    /// first field out of range, its range and its value.
    public var invalidReason: String? {
        if !(learningRate > 0 && learningRate <= 1) { return "learningRate (α) must be in (0, 1], got \(learningRate)" }
        if !(gamma >= 0 && gamma <= 1) { return "gamma (γ) must be in [0, 1], got \(gamma)" }
        if !(epsilon >= 0 && epsilon <= 1) { return "epsilon (ε) must be in [0, 1], got \(epsilon)" }
        if planningSteps < 0 { return "planningSteps (n) must be >= 0, got \(planningSteps)" }
        if !(explorationBonus >= 0 && explorationBonus.isFinite) {
            return "explorationBonus (κ) must be finite and >= 0, got \(explorationBonus)"
        }
        return nil
    }
}
