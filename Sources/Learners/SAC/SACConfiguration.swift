/// Hyper-parameters of ``SACLearner``, with CleanRL's `sac_continuous_action.py`
/// defaults except `policyFrequency` (1, as torch_bench and mbrl-lib's pranz24
/// SAC; CleanRL uses 2).
public struct SACConfiguration: Sendable, Equatable {
    /// Hidden widths of the actor and of each critic (ReLU).
    public var hiddenSizes = [256, 256]
    /// Discount γ of the critic target.
    public var gamma: Float = 0.99
    /// Polyak coefficient of the target critics: θ' ← τθ + (1 − τ)θ'.
    public var tau: Float = 0.005
    /// Adam step size of the actor.
    public var policyLearningRate: Float = 3e-4
    /// Adam step size of the critics.
    public var qLearningRate: Float = 1e-3
    /// Adam step size of log α; nil: `qLearningRate` (CleanRL).
    public var alphaLearningRate: Float? = nil
    /// Learn the entropy temperature α (true) or keep `initialAlpha`.
    public var autotuneAlpha = true
    /// α at the start; log α starts at log(initialAlpha) (CleanRL / pranz24: log α = 0).
    public var initialAlpha: Float = 1
    /// Entropy the temperature aims for; nil: −actionSize.
    public var targetEntropy: Float? = nil
    /// Actor and α are updated every `policyFrequency` updates, `policyFrequency`
    /// times (CleanRL's TD3-style delay); 1 = once every update.
    public var policyFrequency = 1
    /// The target critics are updated every `targetNetworkFrequency` updates.
    public var targetNetworkFrequency = 1
    /// Lower bound of the policy's log standard deviation.
    public var logStdMin: Float = -5
    /// Upper bound of the policy's log standard deviation.
    public var logStdMax: Float = 2
    /// Critics N ≥ 2 (SAC's twin critics: 2; SAC-N / EDAC, An et al. 2021: 10–50).
    /// The critic target and the actor loss take the minimum over all N.
    public var criticCount = 2
    /// η of EDAC's ensemble-gradient diversity term `η · ES` in the critic loss
    /// (``EnsembleDiversityTerm``; the authors use 0–5 on D4RL); 0: off (SAC).
    public var diversityWeight: Float = 0
    /// Swift worker threads of the update and of `act` (nil: active cores).
    public var threads: Int? = nil

    public init() {}

    /// Throws ``LearnerConfigurationError`` naming the first bad field.
    public func validate() throws {
        func check(_ ok: Bool, _ message: @autoclosure () -> String) throws {
            if !ok { throw LearnerConfigurationError(learner: "SAC", message: message()) }
        }
        try check(!hiddenSizes.isEmpty && hiddenSizes.allSatisfy { $0 > 0 }, "hiddenSizes must be positive widths, got \(hiddenSizes)")
        try check((0...1).contains(gamma), "gamma must be in [0, 1], got \(gamma)")
        try check(tau > 0 && tau <= 1, "tau must be in (0, 1], got \(tau)")
        try check(policyLearningRate > 0 && policyLearningRate.isFinite, "policyLearningRate must be positive, got \(policyLearningRate)")
        try check(qLearningRate > 0 && qLearningRate.isFinite, "qLearningRate must be positive, got \(qLearningRate)")
        if let rate = alphaLearningRate { try check(rate > 0 && rate.isFinite, "alphaLearningRate must be positive, got \(rate)") }
        try check(initialAlpha > 0 && initialAlpha.isFinite, "initialAlpha must be positive, got \(initialAlpha)")
        if let entropy = targetEntropy { try check(entropy.isFinite, "targetEntropy must be finite, got \(entropy)") }
        try check(policyFrequency >= 1, "policyFrequency must be at least 1, got \(policyFrequency)")
        try check(targetNetworkFrequency >= 1, "targetNetworkFrequency must be at least 1, got \(targetNetworkFrequency)")
        try check(logStdMin.isFinite && logStdMax.isFinite && logStdMin < logStdMax,
                  "logStdMin must be below logStdMax, got \(logStdMin), \(logStdMax)")
        try check(criticCount >= 2, "criticCount must be at least 2 (the minimum of an ensemble), got \(criticCount)")
        try check(diversityWeight >= 0 && diversityWeight.isFinite, "diversityWeight must be ≥ 0, got \(diversityWeight)")
        if let t = threads { try check(t >= 1, "threads must be at least 1, got \(t)") }
    }
}
