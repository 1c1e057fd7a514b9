/// Hyper-parameters of ``TD3BCLearner``, with the defaults of Fujimoto & Gu
/// 2021 ("A Minimalist Approach to Offline Reinforcement Learning", Table 3;
/// the authors' `TD3_BC` code, as CORL's `td3_bc.py`).
public struct TD3BCConfiguration: Sendable, Equatable {
    /// Hidden widths of the actor and of each critic (ReLU).
    public var hiddenSizes = [256, 256]
    /// Discount γ.
    public var gamma: Float = 0.99
    /// Polyak coefficient of the target actor and critics: θ' ← τθ + (1 − τ)θ'.
    public var tau: Float = 0.005
    /// Adam step size of the actor.
    public var actorLearningRate: Float = 3e-4
    /// Adam step size of the critics.
    public var criticLearningRate: Float = 3e-4
    /// Std of the target policy smoothing noise, in units of the action half range (`policy_noise · max_action`).
    public var policyNoise: Float = 0.2
    /// The smoothing noise is clipped to ± this, in the same units (`noise_clip · max_action`).
    public var noiseClip: Float = 0.5
    /// The actor and the targets are updated every `policyFrequency` updates (TD3's delay).
    public var policyFrequency = 2
    /// α of λ = α / mean|Q(s, π(s))|, the weight of the Q term against behaviour cloning.
    public var alpha: Float = 2.5
    /// Standardise observations with the dataset's statistics (``TD3BCLearner/fitObservationNormalizer(_:)``; the paper's §5).
    public var normalizeObservations = true
    /// Swift worker threads of the update (nil: active cores).
    public var threads: Int? = nil

    public init() {}

    /// Throws ``LearnerConfigurationError`` naming the first bad field.
    public func validate() throws {
        func check(_ ok: Bool, _ message: @autoclosure () -> String) throws {
            if !ok { throw LearnerConfigurationError(learner: "TD3+BC", message: message()) }
        }
        try check(!hiddenSizes.isEmpty && hiddenSizes.allSatisfy { $0 > 0 }, "hiddenSizes must be positive widths, got \(hiddenSizes)")
        try check((0...1).contains(gamma), "gamma must be in [0, 1], got \(gamma)")
        try check(tau > 0 && tau <= 1, "tau must be in (0, 1], got \(tau)")
        try check(actorLearningRate > 0 && actorLearningRate.isFinite, "actorLearningRate must be positive, got \(actorLearningRate)")
        try check(criticLearningRate > 0 && criticLearningRate.isFinite, "criticLearningRate must be positive, got \(criticLearningRate)")
        try check(policyNoise >= 0 && policyNoise.isFinite, "policyNoise must be ≥ 0, got \(policyNoise)")
        try check(noiseClip >= 0 && noiseClip.isFinite, "noiseClip must be ≥ 0, got \(noiseClip)")
        try check(policyFrequency >= 1, "policyFrequency must be at least 1, got \(policyFrequency)")
        try check(alpha >= 0 && alpha.isFinite, "alpha must be ≥ 0, got \(alpha)")
        if let t = threads { try check(t >= 1, "threads must be at least 1, got \(t)") }
    }
}
