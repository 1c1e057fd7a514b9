/// `dqn:` (with `algorithm: dqn`): Deep Q-Networks (Mnih et al. 2015) with the
/// loop and defaults of CleanRL's `dqn.py` (key names too), plus the options
/// of Stable-Baselines3: gradient steps per update, Double DQN (van Hasselt et
/// al. 2016), the Huber loss and gradient-norm clipping.
///
/// Each environment step takes the ε-greedy action of the online network (ε
/// falling linearly from `start_e` to `end_e` over `exploration_fraction` of
/// `total_steps`); after `learning_starts` steps, every `train_frequency` steps
/// run `gradient_steps` updates on batches of `batch_size` from the replay
/// buffer, and every `target_network_frequency` steps the target network moves
/// to `tau·θ + (1 − tau)·θ'` (1: a copy). The TD target bootstraps unless the
/// transition `terminated` (a time-limit truncation bootstraps).
///
/// Needs an environment with `Discrete` actions.
public struct DQNConfig: ConfigSection {
    /// Hidden layer sizes of the Q-network (ReLU).
    public var hiddenSizes = [120, 84]
    /// Adam learning rate.
    public var learningRate = 2.5e-4
    /// Replay buffer capacity (transitions).
    public var bufferSize = 10_000
    /// Discount γ.
    public var gamma = 0.99
    /// Target-network update rate (1: hard copy).
    public var tau = 1.0
    /// Environment steps between target-network updates.
    public var targetNetworkFrequency = 500
    /// Transitions per gradient step.
    public var batchSize = 128
    /// ε at the start.
    public var startE = 1.0
    /// ε at the end of the exploration phase.
    public var endE = 0.05
    /// Fraction of total_steps over which ε falls from start_e to end_e.
    public var explorationFraction = 0.5
    /// Environment steps of ε-greedy collection before the first update.
    public var learningStarts = 10_000
    /// Environment steps between updates.
    public var trainFrequency = 10
    /// Gradient steps per update (SB3's gradient_steps).
    public var gradientSteps = 1
    /// Double DQN target: the online network picks a', the target network values it.
    public var doubleDQN = false
    /// TD loss: mse | huber (smooth L1 with δ = 1, as SB3).
    public var loss: TDLossChoice = .mse
    /// Clip the global gradient norm to this value (null: no clipping; SB3 uses 10).
    public var maxGradNorm: Double?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case hiddenSizes = "hidden_sizes"
        case learningRate = "learning_rate"
        case bufferSize = "buffer_size"
        case gamma, tau
        case targetNetworkFrequency = "target_network_frequency"
        case batchSize = "batch_size"
        case startE = "start_e"
        case endE = "end_e"
        case explorationFraction = "exploration_fraction"
        case learningStarts = "learning_starts"
        case trainFrequency = "train_frequency"
        case gradientSteps = "gradient_steps"
        case doubleDQN = "double_dqn"
        case loss
        case maxGradNorm = "max_grad_norm"
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.update(&hiddenSizes, .hiddenSizes)
        try c.update(&learningRate, .learningRate)
        try c.update(&bufferSize, .bufferSize)
        try c.update(&gamma, .gamma)
        try c.update(&tau, .tau)
        try c.update(&targetNetworkFrequency, .targetNetworkFrequency)
        try c.update(&batchSize, .batchSize)
        try c.update(&startE, .startE)
        try c.update(&endE, .endE)
        try c.update(&explorationFraction, .explorationFraction)
        try c.update(&learningStarts, .learningStarts)
        try c.update(&trainFrequency, .trainFrequency)
        try c.update(&gradientSteps, .gradientSteps)
        try c.update(&doubleDQN, .doubleDQN)
        try c.update(&loss, .loss)
        try c.update(&maxGradNorm, .maxGradNorm)
    }

    public func validate() throws {
        try requireLayerSizes(hiddenSizes, "hidden_sizes")
        try requirePositive(learningRate, "learning_rate")
        try requireAtLeast(bufferSize, 1, "buffer_size")
        try requireInterval(gamma, "gamma", 0, 1)
        try requireInterval(tau, "tau", 0, 1, lowOpen: true)
        try requireAtLeast(targetNetworkFrequency, 1, "target_network_frequency")
        try requireAtLeast(batchSize, 1, "batch_size")
        try requireInterval(startE, "start_e", 0, 1)
        try requireInterval(endE, "end_e", 0, 1)
        try requireInterval(explorationFraction, "exploration_fraction", 0, 1)
        try requireAtLeast(learningStarts, 0, "learning_starts")
        try requireAtLeast(trainFrequency, 1, "train_frequency")
        try requireAtLeast(gradientSteps, 1, "gradient_steps")
        if let maxGradNorm { try requirePositive(maxGradNorm, "max_grad_norm") }
    }
}

/// The TD loss of DQN.
public enum TDLossChoice: String, ConfigChoice {
    /// Mean squared TD error (CleanRL).
    case mse
    /// Smooth L1 with δ = 1 (SB3, Mnih et al. 2015's error clipping).
    case huber
}

/// Throws unless `sizes` is a non-empty list of positive layer sizes.
func requireLayerSizes(_ sizes: [Int], _ key: String) throws {
    try require(!sizes.isEmpty && sizes.allSatisfy { $0 >= 1 }, key,
                expected: "a non-empty list of positive layer sizes, e.g. [256, 256]",
                found: "[\(sizes.map(String.init).joined(separator: ", "))]")
}
