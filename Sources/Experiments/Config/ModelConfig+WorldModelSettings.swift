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
        s.gru = gru
        s.transformer = transformer
        s.s4wm = s4wm
        s.mamba = mamba
        return s
    }
}
