/// What one ``SACLearner/update(on:using:)`` did. The actor fields are nil on
/// updates without an actor step (`policyFrequency` > 1), `alphaLoss` also when
/// α is fixed; with several actor steps they describe the last.
public struct SACUpdateMetrics: Sendable {
    /// MSE(Q1(s, a), y) + MSE(Q2(s, a), y), before the critic step.
    public var qLoss: Float
    /// mean(α log π(ã|s) − min(Q1, Q2)(s, ã)), before the actor step.
    public var actorLoss: Float?
    /// −log α · mean(log π + target entropy), before the temperature step.
    public var alphaLoss: Float?
    /// α after the update.
    public var alpha: Float
    /// −mean(log π(ã|s)) of the actor step's sample.
    public var entropy: Float?
    /// Mean of Q1(s, a) and Q2(s, a) over the batch, before the critic step.
    public var meanQ: Float

    public init(qLoss: Float, actorLoss: Float?, alphaLoss: Float?, alpha: Float, entropy: Float?, meanQ: Float) {
        self.qLoss = qLoss
        self.actorLoss = actorLoss
        self.alphaLoss = alphaLoss
        self.alpha = alpha
        self.entropy = entropy
        self.meanQ = meanQ
    }
}
