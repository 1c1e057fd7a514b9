import Learners

// The learners' settings from their config sections (the Learners target does
// not know the config schema, as WorldModels does not).

extension DQNConfig {
    /// The `DQNLearner` settings of this section.
    public var learnerConfiguration: DQNConfiguration {
        var c = DQNConfiguration()
        c.hiddenSizes = hiddenSizes
        c.gamma = Float(gamma)
        c.learningRate = Float(learningRate)
        c.loss = loss == .huber ? .huber : .mse
        c.doubleDQN = doubleDQN
        c.maxGradientNorm = maxGradNorm.map(Float.init)
        c.tau = Float(tau)
        return c
    }
}

extension SACConfig {
    /// The `SACLearner` settings of this section (`threads`: Swift workers, nil for all cores).
    public func learnerConfiguration(threads: Int?) -> SACConfiguration {
        var c = SACConfiguration()
        c.hiddenSizes = hiddenSizes
        c.gamma = Float(gamma)
        c.tau = Float(tau)
        c.policyLearningRate = Float(policyLR)
        c.qLearningRate = Float(qLR)
        c.alphaLearningRate = alphaLR.map(Float.init)
        c.autotuneAlpha = autotune
        c.initialAlpha = Float(alpha)
        c.targetEntropy = targetEntropy.map(Float.init)
        c.policyFrequency = policyFrequency
        c.targetNetworkFrequency = targetNetworkFrequency
        c.logStdMin = Float(logStdMin)
        c.logStdMax = Float(logStdMax)
        c.criticCount = numCritics
        c.diversityWeight = Float(eta)
        c.threads = threads
        return c
    }
}

extension DynaQConfig {
    /// The `DynaQLearner` settings of this section.
    public var learnerConfiguration: DynaQConfiguration {
        var c = DynaQConfiguration()
        c.learningRate = learningRate
        c.gamma = gamma
        c.epsilon = epsilon
        c.planningSteps = planningSteps
        c.explorationBonus = explorationBonus
        return c
    }
}

extension TD3BCConfig {
    /// The `TD3BCLearner` settings of this section.
    public func learnerConfiguration(threads: Int?) -> TD3BCConfiguration {
        var c = TD3BCConfiguration()
        c.hiddenSizes = hiddenSizes
        c.gamma = Float(gamma)
        c.tau = Float(tau)
        c.actorLearningRate = Float(actorLR)
        c.criticLearningRate = Float(criticLR)
        c.policyNoise = Float(policyNoise)
        c.noiseClip = Float(noiseClip)
        c.policyFrequency = policyFreq
        c.alpha = Float(alpha)
        c.normalizeObservations = normalize
        c.threads = threads
        return c
    }
}

extension BCConfig {
    /// The `BCLearner` settings of this section.
    public func learnerConfiguration(threads: Int?) -> BCConfiguration {
        var c = BCConfiguration()
        c.hiddenSizes = hiddenSizes
        c.learningRate = Float(learningRate)
        c.normalizeObservations = normalize
        c.threads = threads
        return c
    }
}
