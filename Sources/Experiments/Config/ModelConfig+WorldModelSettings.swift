import NN
import WorldModels

extension ModelConfig {
    /// The plain settings `makeWorldModel(settings:observationSize:actionSize:seed:)` takes
    /// (the ensemble for `mlp`, the sequence model and its backbone group otherwise).
    public var worldModelSettings: WorldModelSettings {
        var s = WorldModelSettings()
        s.backbone = backbone.worldModelBackbone
        s.ensemble.members = members
        s.ensemble.elites = elites
        s.ensemble.hiddenSize = hiddenSize
        s.ensemble.hiddenLayers = hiddenLayers
        switch activation {
        case .silu: s.ensemble.activation = .silu
        case .relu: s.ensemble.activation = .relu
        case .leakyRelu: s.ensemble.activation = .leakyRelu
        case .tanh: s.ensemble.activation = .tanh
        }
        s.ensemble.deterministic = deterministic
        s.ensemble.learnedReward = learnedReward
        s.ensemble.learningRate = Float(learningRate)
        s.ensemble.weightDecay = Float(weightDecay)
        s.ensemble.batchSize = batchSize
        s.ensemble.epochs = epochsPerTrial
        s.ensemble.patience = patience == 0 ? Int.max : patience
        s.ensemble.validationRatio = Float(validationRatio)
        s.ensemble.bootstrap = bootstrap
        s.sequence = SequenceWorldModelConfiguration(members: members, deterministic: deterministic,
                                                     headHiddenSize: headHiddenSize, headInputSkip: headInputSkip)
        s.training.sequenceLength = sequenceLength
        s.training.burnIn = burnIn
        s.training.batchSize = batchSize
        s.training.learningRate = Float(learningRate)
        s.training.weightDecay = Float(weightDecay)
        s.training.gradientClip = gradientClip > 0 ? Float(gradientClip) : nil
        s.training.trainSteps = trainSteps > 0 ? trainSteps : nil
        s.training.warmupSteps = warmupSteps
        s.training.finalLearningRateScale = Float(finalLearningRateScale)
        s.training.epochs = Double(epochsPerTrial)
        s.training.validationRatio = validationRatio
        s.training.sampling = sequenceSampling == .withinEpisode ? .withinEpisode : .acrossEpisodes
        s.training.lossWeights.reward = Float(rewardLossWeight)
        s.gru.hiddenSize = gru.hiddenSize
        s.gru.layers = gru.layers
        s.gru.updateGateBias = Float(gru.updateGateBias)
        s.gru.stochasticSize = gru.stochasticSize
        s.gru.observationToDeterministic = gru.observationToDeterministic
        s.transformer.dModel = transformer.dModel
        s.transformer.heads = transformer.heads
        s.transformer.layers = transformer.layers
        s.transformer.feedforwardSize = transformer.feedforwardSize
        s.transformer.contextLength = transformer.contextLength
        s.s4wm.dModel = s4wm.dModel
        s.s4wm.dState = s4wm.dState
        s.s4wm.layers = s4wm.layers
        s.s4wm.mode = s4wm.mode == .complex ? .complex : .real
        s.s4wm.dtMin = Float(s4wm.dtMin)
        s.s4wm.dtMax = Float(s4wm.dtMax)
        s.mamba.dModel = mamba.dModel
        s.mamba.dState = mamba.dState
        s.mamba.expand = mamba.expand
        s.mamba.dConv = mamba.dConv
        s.mamba.dtRank = mamba.dtRank
        s.mamba.layers = mamba.layers
        s.mamba.dtInitRange = mamba.dtInitMin > 0 ? Float(mamba.dtInitMin)...Float(mamba.dtInitMax) : nil
        s.mamba.stateDecayInit = mamba.stateDecayInit > 0 ? Float(mamba.stateDecayInit) : nil
        return s
    }
}
