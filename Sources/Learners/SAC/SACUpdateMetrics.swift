/// What one ``SACLearner/update(on:using:)`` did. The actor fields are nil on
/// updates without an actor step (`policyFrequency` > 1), `alphaLoss` also when
/// α is fixed; with several actor steps they describe the last.
public struct SACUpdateMetrics: Sendable {
    /// Σ_k MSE(Q_k(s, a), y), before the critic step (without the diversity term).
    public var qLoss: Float
    /// EDAC's ES (before η), when `diversityWeight` > 0.
    public var diversity: Float?
    /// mean(α log π(ã|s) − min(Q1, Q2)(s, ã)), before the actor step.
    public var actorLoss: Float?
    /// −log α · mean(log π + target entropy), before the temperature step.
    public var alphaLoss: Float?
    /// α after the update.
    public var alpha: Float
    /// −mean(log π(ã|s)) of the actor step's sample.
    public var entropy: Float?
    /// Mean of every Q_k(s, a) over the batch, before the critic step.
    public var meanQ: Float
    /// Largest Q_k(s, a) over the critics and the batch, before the critic step
    /// (diverging values show here first: the edge-of-reach problem).
    public var maxQ: Float = -.infinity

    public init(qLoss: Float, actorLoss: Float?, alphaLoss: Float?, alpha: Float, entropy: Float?, meanQ: Float) {
        self.qLoss = qLoss
        self.actorLoss = actorLoss
        self.alphaLoss = alphaLoss
        self.alpha = alpha
        self.entropy = entropy
        self.meanQ = meanQ
    }
}
