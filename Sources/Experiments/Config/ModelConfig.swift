/// The world model: a PETS-style probabilistic ensemble by default.
///
/// Defaults follow mbrl-lib's PETS example on continuous CartPole (Chua et al.
/// 2018, "Deep Reinforcement Learning in a Handful of Trials using
/// Probabilistic Dynamics Models"): 5 Gaussian MLPs of 3 x 200 LeakyReLU units
/// trained with the Gaussian NLL on bootstrapped data, Adam (lr 1e-3, weight
/// decay 5e-5), batch 32, 50 epochs per trial, 5% held out for validation.
///
/// YAML keys are snake_case (`hidden_size`). With `kind: oracle` the model
/// fields are unused (the planner imagines with the true environment).
public struct ModelConfig: ConfigSection {
    /// Where predictions come from: `learned` (train the network below on the collected data) or `oracle` (the true environment through snapshot/restore, a reference for the planner).
    public var kind: ModelKind = .learned
    /// Network family: mlp | gru | s4wm | mamba | transformer (only mlp is implemented so far).
    public var backbone: ModelBackbone = .mlp
    /// Ensemble members, each trained on its own bootstrap of the data.
    public var members = 5
    /// Members with the lowest validation loss used for prediction (at most `members`; when absent from the YAML, all members).
    public var elites = 5
    /// Units per hidden layer.
    public var hiddenSize = 200
    /// Hidden layers per member.
    public var hiddenLayers = 3
    /// Hidden-layer activation: silu | relu | leaky_relu | tanh.
    public var activation: Activation = .leakyRelu
    /// Predict the reward with the model (false: use the environment's known reward function).
    public var learnedReward = true
    /// Deterministic members (MSE loss) instead of Gaussian ones (NLL loss).
    public var deterministic = false
    /// Adam learning rate.
    public var learningRate = 1e-3
    /// Decoupled weight decay (AdamW).
    public var weightDecay = 5e-5
    /// Minibatch size per member.
    public var batchSize = 32
    /// Training epochs over the replay data after each trial.
    public var epochsPerTrial = 50
    /// Epochs without validation improvement before training stops early (0: never stop early).
    public var patience = 50
    /// Fraction of the data held out to rank members and stop early, in [0, 1).
    public var validationRatio = 0.05
    /// Train each member on a bootstrap resample (with replacement) of the data.
    public var bootstrap = true

    public init() {}

    enum CodingKeys: String, CodingKey {
        case kind, backbone, members, elites
        case hiddenSize = "hidden_size"
        case hiddenLayers = "hidden_layers"
        case activation
        case learnedReward = "learned_reward"
        case deterministic
        case learningRate = "learning_rate"
        case weightDecay = "weight_decay"
        case batchSize = "batch_size"
        case epochsPerTrial = "epochs_per_trial"
        case patience
        case validationRatio = "validation_ratio"
        case bootstrap
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.update(&kind, .kind)
        try c.update(&backbone, .backbone)
        try c.update(&members, .members)
        elites = members
        try c.update(&elites, .elites)
        try c.update(&hiddenSize, .hiddenSize)
        try c.update(&hiddenLayers, .hiddenLayers)
        try c.update(&activation, .activation)
        try c.update(&learnedReward, .learnedReward)
        try c.update(&deterministic, .deterministic)
        try c.update(&learningRate, .learningRate)
        try c.update(&weightDecay, .weightDecay)
        try c.update(&batchSize, .batchSize)
        try c.update(&epochsPerTrial, .epochsPerTrial)
        try c.update(&patience, .patience)
        try c.update(&validationRatio, .validationRatio)
        try c.update(&bootstrap, .bootstrap)
    }

    public func validate() throws {
        try requireAtLeast(members, 1, "members")
        try require((1...max(members, 1)).contains(elites), "elites",
                    expected: "an integer in 1...\(members) (at most model.members)", found: String(elites))
        try requireAtLeast(hiddenSize, 1, "hidden_size")
        try requireAtLeast(hiddenLayers, 1, "hidden_layers")
        try requirePositive(learningRate, "learning_rate")
        try requireInterval(weightDecay, "weight_decay", 0, .greatestFiniteMagnitude)
        try requireAtLeast(batchSize, 1, "batch_size")
        try requireAtLeast(epochsPerTrial, 1, "epochs_per_trial")
        try requireAtLeast(patience, 0, "patience")
        try requireInterval(validationRatio, "validation_ratio", 0, 1, highOpen: true)
    }
}

/// Where the planner's predictions come from.
public enum ModelKind: String, ConfigChoice {
    /// A network trained on the collected data.
    case learned
    /// The true environment, imagined through `snapshot()`/`restore(_:)`.
    case oracle
}

/// A world-model network family.
public enum ModelBackbone: String, ConfigChoice {
    case mlp, gru, s4wm, mamba, transformer

    /// Whether the runner can build this backbone yet (only `mlp` so far); the
    /// others decode so configs can name them, and the runner says "not available yet".
    public var isImplemented: Bool { self == .mlp }
}

/// A hidden-layer activation.
public enum Activation: String, ConfigChoice {
    case silu, relu
    case leakyRelu = "leaky_relu"
    case tanh
}
