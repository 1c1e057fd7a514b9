/// The TD regression loss of ``DQNLearner``.
public enum TDLoss: String, Sendable {
    /// mean((Q − y)²) (CleanRL `dqn.py`).
    case mse
    /// Smooth L1 with δ = 1: ½d² for |d| < 1, |d| − ½ otherwise (SB3's DQN, `F.smooth_l1_loss`).
    case huber
}

/// Hyper-parameters of ``DQNLearner`` with CleanRL `dqn.py` defaults (CartPole).
/// The ε schedule, the training frequency and the target interval belong to the
/// caller's loop.
public struct DQNConfiguration: Sendable, Equatable {
    /// Hidden widths of the Q-network (ReLU).
    public var hiddenSizes = [120, 84]
    /// Discount γ of the TD target.
    public var gamma: Float = 0.99
    /// Adam step size.
    public var learningRate: Float = 2.5e-4
    /// The TD regression loss.
    public var loss: TDLoss = .mse
    /// Double DQN (van Hasselt et al. 2016): the online network picks a', the target evaluates it.
    public var doubleDQN = false
    /// Clip the gradients' global L2 norm to this (SB3: 10); nil: no clipping.
    public var maxGradientNorm: Float? = nil
    /// Target update coefficient: θ' ← τθ + (1 − τ)θ' (1: hard copy).
    public var tau: Float = 1

    public init() {}

    /// Throws ``LearnerConfigurationError`` naming the first bad field.
    public func validate() throws {
        func check(_ ok: Bool, _ message: @autoclosure () -> String) throws {
            if !ok { throw LearnerConfigurationError(learner: "DQN", message: message()) }
        }
        try check(!hiddenSizes.isEmpty && hiddenSizes.allSatisfy { $0 > 0 }, "hiddenSizes must be positive widths, got \(hiddenSizes)")
        try check((0...1).contains(gamma), "gamma must be in [0, 1], got \(gamma)")
        try check(learningRate > 0 && learningRate.isFinite, "learningRate must be positive, got \(learningRate)")
        if let norm = maxGradientNorm { try check(norm > 0 && norm.isFinite, "maxGradientNorm must be positive, got \(norm)") }
        try check(tau > 0 && tau <= 1, "tau must be in (0, 1], got \(tau)")
    }
}

/// What one ``DQNLearner/update(on:)`` did.
public struct DQNUpdateMetrics: Sendable {
    /// The TD loss before the step (MSE or Huber, mean over the batch).
    public var loss: Float
    /// Mean of Q(s, a) over the batch, before the step.
    public var meanQ: Float

    public init(loss: Float, meanQ: Float) {
        self.loss = loss
        self.meanQ = meanQ
    }
}
