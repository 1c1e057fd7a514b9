/// `sac:` (with `algorithm: sac`, and the learner of `algorithm: mbpo`): Soft
/// Actor-Critic (Haarnoja et al. 2018) with the loop, defaults and key names
/// of CleanRL's `sac_continuous_action.py`: twin Q-networks with Polyak
/// targets, a tanh-squashed Gaussian policy (log-std squashed into
/// [log_std_min, log_std_max]), automatic entropy temperature.
///
/// In the SAC loop, the first `learning_starts` steps take uniformly random
/// actions; after that every step samples the policy and runs one update on a
/// batch of `batch_size` from the replay buffer. Every `policy_frequency`
/// updates the actor (and α) take `policy_frequency` steps (TD3's delayed
/// update, as CleanRL); every `target_network_frequency` updates the targets
/// move by `tau`. The critic target bootstraps unless the transition
/// `terminated`. In MBPO, `buffer_size` and `learning_starts` do not apply (the
/// `mbpo:` section sizes the model buffer and the exploration).
///
/// `num_critics` > 2 makes it SAC-N and `eta` > 0 adds EDAC's ensemble-gradient
/// diversity term (An et al. 2021; CORL's `edac.py` key names): the target and
/// the actor take the minimum over all critics.
///
/// Needs an environment with `Box` actions; actions are scaled to its bounds.
public struct SACConfig: ConfigSection {
    /// Hidden layer sizes of the actor and of each critic (ReLU).
    public var hiddenSizes = [256, 256]
    /// Replay buffer capacity (sac only).
    public var bufferSize = 1_000_000
    /// Discount γ.
    public var gamma = 0.99
    /// Polyak rate of the target critics.
    public var tau = 0.005
    /// Transitions per update.
    public var batchSize = 256
    /// Steps of uniformly random actions before learning (sac only).
    public var learningStarts = 5000
    /// Adam learning rate of the actor.
    public var policyLR = 3e-4
    /// Adam learning rate of the critics.
    public var qLR = 1e-3
    /// Adam learning rate of log α (null: q_lr, as CleanRL).
    public var alphaLR: Double?
    /// Updates between actor (and α) updates, each then taken this many times.
    public var policyFrequency = 2
    /// Updates between target-critic updates.
    public var targetNetworkFrequency = 1
    /// Tune the entropy temperature α toward `target_entropy`; α starts at `alpha`.
    public var autotune = true
    /// Entropy temperature α: its start value with autotune (CleanRL and mbrl-lib start at 1, log α = 0), else fixed.
    public var alpha = 1.0
    /// Entropy target of the autotuning (null: −action dimensions).
    public var targetEntropy: Double?
    /// Lower bound of the policy's log standard deviation.
    public var logStdMin = -5.0
    /// Upper bound of the policy's log standard deviation.
    public var logStdMax = 2.0
    /// Critics N ≥ 2; the target and the actor use their minimum (SAC-N).
    public var numCritics = 2
    /// EDAC's diversity weight η ≥ 0 (0: off).
    public var eta = 0.0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case hiddenSizes = "hidden_sizes"
        case bufferSize = "buffer_size"
        case gamma, tau
        case batchSize = "batch_size"
        case learningStarts = "learning_starts"
        case policyLR = "policy_lr"
        case qLR = "q_lr"
        case alphaLR = "alpha_lr"
        case policyFrequency = "policy_frequency"
        case targetNetworkFrequency = "target_network_frequency"
        case autotune, alpha
        case targetEntropy = "target_entropy"
        case logStdMin = "log_std_min"
        case logStdMax = "log_std_max"
        case numCritics = "num_critics"
        case eta
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.update(&hiddenSizes, .hiddenSizes)
        try c.update(&bufferSize, .bufferSize)
        try c.update(&gamma, .gamma)
        try c.update(&tau, .tau)
        try c.update(&batchSize, .batchSize)
        try c.update(&learningStarts, .learningStarts)
        try c.update(&policyLR, .policyLR)
        try c.update(&qLR, .qLR)
        try c.update(&alphaLR, .alphaLR)
        try c.update(&policyFrequency, .policyFrequency)
        try c.update(&targetNetworkFrequency, .targetNetworkFrequency)
        try c.update(&autotune, .autotune)
        try c.update(&alpha, .alpha)
        try c.update(&targetEntropy, .targetEntropy)
        try c.update(&logStdMin, .logStdMin)
        try c.update(&logStdMax, .logStdMax)
        try c.update(&numCritics, .numCritics)
        try c.update(&eta, .eta)
    }

    public func validate() throws {
        try requireLayerSizes(hiddenSizes, "hidden_sizes")
        try requireAtLeast(bufferSize, 1, "buffer_size")
        try requireInterval(gamma, "gamma", 0, 1)
        try requireInterval(tau, "tau", 0, 1, lowOpen: true)
        try requireAtLeast(batchSize, 1, "batch_size")
        try requireAtLeast(learningStarts, 0, "learning_starts")
        try requirePositive(policyLR, "policy_lr")
        try requirePositive(qLR, "q_lr")
        if let alphaLR { try requirePositive(alphaLR, "alpha_lr") }
        try requireAtLeast(policyFrequency, 1, "policy_frequency")
        try requireAtLeast(targetNetworkFrequency, 1, "target_network_frequency")
        try requirePositive(alpha, "alpha")
        try requireAtLeast(numCritics, 2, "num_critics")
        try require(eta.isFinite && eta >= 0, "eta", expected: "a finite number ≥ 0", found: ConfigScalar.render(eta))
        if let targetEntropy {
            try require(targetEntropy.isFinite, "target_entropy", expected: "a finite number",
                        found: ConfigScalar.render(targetEntropy))
        }
        try require(logStdMin.isFinite && logStdMax.isFinite && logStdMin < logStdMax, "log_std_max",
                    expected: "a finite number greater than log_std_min (\(ConfigScalar.render(logStdMin)))",
                    found: ConfigScalar.render(logStdMax))
    }
}
