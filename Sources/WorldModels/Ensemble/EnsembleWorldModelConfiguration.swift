import NN

/// How an ensemble propagates particles through imagination (Chua et al.
/// 2018, PETS §4.2; mbrl-lib's `propagation_method`).
public enum ParticlePropagation: String, Sendable, Codable, CaseIterable {
    /// TS-∞: particle `p` stays with member `p mod E` for the whole horizon
    /// (mbrl-lib `fixed_model`).
    case tsInfinity
    /// TS-1: every step each row is assigned to a member by a random permutation
    /// (mbrl-lib `random_model`).
    case tsOne
    /// Every member predicts every row; the next observation is the mean of the
    /// members' means (mbrl-lib `expectation`; no sampling).
    case mean
}

/// Settings of an `EnsembleWorldModel`: the network, its training, and
/// imagination. Defaults follow mbrl-lib's PETS CartPole example.
public struct EnsembleWorldModelConfiguration: Sendable, Equatable {
    /// Ensemble members E.
    public var members = 5
    /// Members with the best validation error used for imagination (≤ members).
    public var elites = 5
    public var hiddenSize = 200
    /// Hidden layers of width `hiddenSize` (mbrl-lib's `num_layers`).
    public var hiddenLayers = 3
    public var activation: EnsembleActivation = .leakyRelu
    /// Predict the mean only (MSE) instead of mean and log-variance (Gaussian NLL).
    public var deterministic = false
    /// Predict the reward as an extra output (otherwise a known reward function is used).
    public var learnedReward = true
    public var learningRate: Float = 1e-3
    /// L2 weight decay inside Adam (as mbrl-lib passes `weight_decay` to `torch.optim.Adam`).
    public var weightDecay: Float = 5e-5
    public var batchSize = 32
    /// Epochs per call of `train` (each epoch visits every training transition once per member).
    public var epochs = 50
    /// Stop when no member improved its validation error by more than 1% for this many epochs.
    public var patience = 50
    /// Fraction of the data held out for validation (and for choosing elites and best weights).
    public var validationRatio: Float = 0.05
    /// Each member trains on its own bootstrap resample of the training set.
    public var bootstrap = true
    public var propagation: ParticlePropagation = .tsInfinity
    /// Threads of the network's parallel phases (nil: all active cores).
    public var threads: Int?

    public init() {}
}
