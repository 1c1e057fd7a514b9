/// `td3_bc:` (with `algorithm: td3_bc`): TD3+BC (Fujimoto & Gu 2021, "A
/// Minimalist Approach to Offline Reinforcement Learning") with the defaults
/// and key names of CORL's `td3_bc.py`: TD3's twin critics, target policy
/// smoothing and delayed actor, whose loss is `−λ·Q(s, π(s)) + (π(s) − a)²`
/// with `λ = alpha / mean|Q|`; observations standardised with the dataset's
/// statistics.
public struct TD3BCConfig: ConfigSection {
    /// Hidden layer sizes of the actor and each critic (ReLU).
    public var hiddenSizes = [256, 256]
    /// Discount γ.
    public var gamma = 0.99
    /// Polyak rate of the targets.
    public var tau = 0.005
    /// Transitions per update.
    public var batchSize = 256
    /// Adam learning rate of the actor.
    public var actorLR = 3e-4
    /// Adam learning rate of the critics.
    public var criticLR = 3e-4
    /// Target smoothing noise std, as a fraction of the action half range.
    public var policyNoise = 0.2
    /// Clip of the smoothing noise, same units.
    public var noiseClip = 0.5
    /// Updates between actor (and target) updates.
    public var policyFreq = 2
    /// α of λ = α / mean|Q|.
    public var alpha = 2.5
    /// Standardise observations with the dataset's mean and std.
    public var normalize = true

    public init() {}

    enum CodingKeys: String, CodingKey {
        case hiddenSizes = "hidden_sizes"
        case gamma, tau
        case batchSize = "batch_size"
        case actorLR = "actor_lr"
        case criticLR = "critic_lr"
        case policyNoise = "policy_noise"
        case noiseClip = "noise_clip"
        case policyFreq = "policy_freq"
        case alpha, normalize
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.update(&hiddenSizes, .hiddenSizes)
        try c.update(&gamma, .gamma)
        try c.update(&tau, .tau)
        try c.update(&batchSize, .batchSize)
        try c.update(&actorLR, .actorLR)
        try c.update(&criticLR, .criticLR)
        try c.update(&policyNoise, .policyNoise)
        try c.update(&noiseClip, .noiseClip)
        try c.update(&policyFreq, .policyFreq)
        try c.update(&alpha, .alpha)
        try c.update(&normalize, .normalize)
    }

    public func validate() throws {
        try requireLayerSizes(hiddenSizes, "hidden_sizes")
        try requireInterval(gamma, "gamma", 0, 1)
        try requireInterval(tau, "tau", 0, 1, lowOpen: true)
        try requireAtLeast(batchSize, 1, "batch_size")
        try requirePositive(actorLR, "actor_lr")
        try requirePositive(criticLR, "critic_lr")
        try require(policyNoise.isFinite && policyNoise >= 0, "policy_noise", expected: "a finite number ≥ 0",
                    found: ConfigScalar.render(policyNoise))
        try require(noiseClip.isFinite && noiseClip >= 0, "noise_clip", expected: "a finite number ≥ 0",
                    found: ConfigScalar.render(noiseClip))
        try requireAtLeast(policyFreq, 1, "policy_freq")
        try require(alpha.isFinite && alpha >= 0, "alpha", expected: "a finite number ≥ 0", found: ConfigScalar.render(alpha))
    }
}

/// `bc:` (with `algorithm: bc`): behaviour cloning — a deterministic
/// tanh-bounded policy (TD3+BC's actor) regressed onto the dataset's actions
/// with mean squared error (CORL's `any_percent_bc.py`).
public struct BCConfig: ConfigSection {
    /// Hidden layer sizes of the policy (ReLU).
    public var hiddenSizes = [256, 256]
    /// Transitions per update.
    public var batchSize = 256
    /// Adam learning rate.
    public var learningRate = 3e-4
    /// Standardise observations with the dataset's mean and std.
    public var normalize = true

    public init() {}

    enum CodingKeys: String, CodingKey {
        case hiddenSizes = "hidden_sizes"
        case batchSize = "batch_size"
        case learningRate = "learning_rate"
        case normalize
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.update(&hiddenSizes, .hiddenSizes)
        try c.update(&batchSize, .batchSize)
        try c.update(&learningRate, .learningRate)
        try c.update(&normalize, .normalize)
    }

    public func validate() throws {
        try requireLayerSizes(hiddenSizes, "hidden_sizes")
        try requireAtLeast(batchSize, 1, "batch_size")
        try requirePositive(learningRate, "learning_rate")
    }
}
