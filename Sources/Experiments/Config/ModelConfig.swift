import WorldModels
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
///
/// Sequence backbones (`backbone: gru | s4wm | mamba | transformer`) add the
/// keys `sequence_length`, `burn_in`, `gradient_clip`, `train_steps`,
/// `warmup_steps`, `final_learning_rate_scale`, `head_hidden_size`, `head_input_skip`, `sequence_sampling`, `reward_loss_weight` and the group named after the backbone (`gru: {hidden_size,
/// layers, update_gate_bias, stochastic_size, observation_to_deterministic}`, `transformer: {d_model, heads, layers,
/// feedforward_size, context_length}`, `s4wm: {d_model, d_state, layers, mode, dt_min, dt_max}`,
/// `mamba: {d_model, d_state, expand, d_conv, dt_rank, layers, dt_init_min, dt_init_max, state_decay_init}`). These are
/// errors with `backbone: mlp`, and a group is an error for another backbone;
/// a key a group does not have (`gru: {d_state: 4}`) is an unknown key naming
/// the group's valid keys. `members`, `learning_rate`, `weight_decay`,
/// `batch_size` (windows per batch), `epochs_per_trial` (when `train_steps` is
/// 0), `validation_ratio` (of episodes) and `deterministic` apply to every backbone;
/// `hidden_size`, `hidden_layers`, `activation`, `elites`, `patience`,
/// `bootstrap` and `learned_reward` configure the MLP ensemble only and are
/// accepted but unused with a sequence backbone (so one file can switch
/// backbones with an override such as `model.backbone=gru`).
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
    /// Steps per training window (sequence backbones).
    public var sequenceLength = 32
    /// Leading steps of each window that only warm up the state and are not scored (sequence backbones), < sequence_length.
    public var burnIn = 0
    /// Global gradient-norm clip per member (sequence backbones; 0: no clipping).
    public var gradientClip = 100.0
    /// Gradient steps per trial (sequence backbones; 0: epochs_per_trial passes over the data).
    public var trainSteps = 0
    /// Gradient steps of a linear learning-rate warm-up (sequence backbones; 0: none).
    public var warmupSteps = 0
    /// Cosine decay of the learning rate to this fraction of learning_rate at the last step (sequence backbones; 1: constant).
    public var finalLearningRateScale = 1.0
    /// Units of the prediction heads' hidden layer (sequence backbones; 0: linear heads).
    public var headHiddenSize = 64
    /// The heads also read the step's own input [o_t, a_t] beside the backbone's feature (sequence backbones).
    public var headInputSkip = true
    /// How training windows are drawn (sequence backbones): across_episodes (any window, episode starts marked) | within_episode (only windows inside one episode).
    public var sequenceSampling: SequenceSamplingChoice = .acrossEpisodes
    /// Weight of the reward term in the sequence loss (sequence backbones; observation and termination terms weigh 1).
    public var rewardLossWeight = 1.0
    /// GRU backbone settings (backbone: gru).
    public var gru = GRUBackboneSettings()
    /// Causal transformer settings (backbone: transformer).
    public var transformer = TransformerBackboneSettings()
    /// S4 world-model settings (backbone: s4wm).
    public var s4wm = S4WMBackboneSettings()
    /// Mamba-like settings (backbone: mamba).
    public var mamba = MambaBackboneSettings()

    public init() {}

    /// Whether `backbone` is a sequence model (everything but `mlp`).
    public var isSequenceBackbone: Bool { backbone != .mlp }

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
        case sequenceLength = "sequence_length"
        case burnIn = "burn_in"
        case gradientClip = "gradient_clip"
        case trainSteps = "train_steps"
        case warmupSteps = "warmup_steps"
        case finalLearningRateScale = "final_learning_rate_scale"
        case headHiddenSize = "head_hidden_size"
        case headInputSkip = "head_input_skip"
        case sequenceSampling = "sequence_sampling"
        case rewardLossWeight = "reward_loss_weight"
        case gru, transformer, s4wm, mamba
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

        let backbone = self.backbone
        let sequenceChoices = ModelBackbone.allCases.filter { $0 != .mlp }.map(\.rawValue)
        try c.reject([.sequenceLength, .burnIn, .gradientClip, .trainSteps, .warmupSteps, .finalLearningRateScale, .headHiddenSize, .headInputSkip, .sequenceSampling,
                      .rewardLossWeight], unless: backbone != .mlp) { key in
            "applies only to sequence backbones (model.backbone: \(sequenceChoices.joined(separator: ", "))), but "
                + "model.backbone is mlp; remove it (on the command line: model.\(key.stringValue)=) or choose a sequence backbone"
        }
        for (key, group) in [(CodingKeys.gru, ModelBackbone.gru), (.transformer, .transformer), (.s4wm, .s4wm), (.mamba, .mamba)] {
            try c.reject([key], unless: backbone == group) { key in
                "applies only when model.backbone is \(group.rawValue), but model.backbone is \(backbone.rawValue); remove it "
                    + "(on the command line: model.\(key.stringValue)=) or set model.backbone to \(group.rawValue) "
                    + "(choices: \(ModelBackbone.choices.joined(separator: ", ")))"
            }
        }
        try c.update(&sequenceLength, .sequenceLength)
        try c.update(&burnIn, .burnIn)
        try c.update(&gradientClip, .gradientClip)
        try c.update(&trainSteps, .trainSteps)
        try c.update(&warmupSteps, .warmupSteps)
        try c.update(&finalLearningRateScale, .finalLearningRateScale)
        try c.update(&headHiddenSize, .headHiddenSize)
        try c.update(&headInputSkip, .headInputSkip)
        try c.update(&sequenceSampling, .sequenceSampling)
        try c.update(&rewardLossWeight, .rewardLossWeight)
        try c.update(&gru, .gru)
        try c.update(&transformer, .transformer)
        try c.update(&s4wm, .s4wm)
        try c.update(&mamba, .mamba)
    }

    /// Writes the keys that apply to `backbone` (so a rendered config decodes again).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(backbone, forKey: .backbone)
        try c.encode(members, forKey: .members)
        try c.encode(elites, forKey: .elites)
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(hiddenLayers, forKey: .hiddenLayers)
        try c.encode(activation, forKey: .activation)
        try c.encode(learnedReward, forKey: .learnedReward)
        try c.encode(deterministic, forKey: .deterministic)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(weightDecay, forKey: .weightDecay)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(epochsPerTrial, forKey: .epochsPerTrial)
        try c.encode(patience, forKey: .patience)
        try c.encode(validationRatio, forKey: .validationRatio)
        try c.encode(bootstrap, forKey: .bootstrap)
        guard isSequenceBackbone else { return }
        try c.encode(sequenceLength, forKey: .sequenceLength)
        try c.encode(burnIn, forKey: .burnIn)
        try c.encode(gradientClip, forKey: .gradientClip)
        try c.encode(trainSteps, forKey: .trainSteps)
        try c.encode(warmupSteps, forKey: .warmupSteps)
        try c.encode(finalLearningRateScale, forKey: .finalLearningRateScale)
        try c.encode(headHiddenSize, forKey: .headHiddenSize)
        try c.encode(headInputSkip, forKey: .headInputSkip)
        try c.encode(sequenceSampling, forKey: .sequenceSampling)
        try c.encode(rewardLossWeight, forKey: .rewardLossWeight)
        switch backbone {
        case .gru: try c.encode(gru, forKey: .gru)
        case .transformer: try c.encode(transformer, forKey: .transformer)
        case .s4wm: try c.encode(s4wm, forKey: .s4wm)
        case .mamba: try c.encode(mamba, forKey: .mamba)
        case .mlp: break
        }
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
        guard isSequenceBackbone else { return }
        try requireAtLeast(sequenceLength, 1, "sequence_length")
        try require((0..<max(sequenceLength, 1)).contains(burnIn), "burn_in",
                    expected: "an integer in 0...\(sequenceLength - 1) (less than model.sequence_length)", found: String(burnIn))
        try requireInterval(gradientClip, "gradient_clip", 0, .greatestFiniteMagnitude)
        try requireAtLeast(trainSteps, 0, "train_steps")
        try requireAtLeast(warmupSteps, 0, "warmup_steps")
        try requireInterval(finalLearningRateScale, "final_learning_rate_scale", 0, 1)
        try requireAtLeast(headHiddenSize, 0, "head_hidden_size")
        try requireInterval(rewardLossWeight, "reward_loss_weight", 0, .greatestFiniteMagnitude)
        switch backbone {
        case .gru: try validating("gru") { try gru.validate() }
        case .transformer:
            try validating("transformer") {
                try transformer.validate()
                try require(transformer.contextLength >= sequenceLength, "context_length",
                            expected: "an integer of at least model.sequence_length (\(sequenceLength)); the attention window must cover a training window",
                            found: String(transformer.contextLength))
            }
        case .s4wm: try validating("s4wm") { try s4wm.validate() }
        case .mamba: try validating("mamba") { try mamba.validate() }
        case .mlp: break
        }
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

    /// The factory's backbone of the same name (every choice is buildable).
    public var worldModelBackbone: WorldModelBackbone {
        switch self {
        case .mlp: .mlp
        case .gru: .gru
        case .s4wm: .s4wm
        case .mamba: .mamba
        case .transformer: .transformer
        }
    }
}

/// How a sequence model's training windows are drawn from the replay buffer (`SequenceSampling`).
public enum SequenceSamplingChoice: String, ConfigChoice {
    /// Any window of consecutive transitions; episode starts inside it are marked (DreamerV3's replay).
    case acrossEpisodes = "across_episodes"
    /// Only windows inside one episode (episodes shorter than the window give none).
    case withinEpisode = "within_episode"
}

/// A hidden-layer activation.
public enum Activation: String, ConfigChoice {
    case silu, relu
    case leakyRelu = "leaky_relu"
    case tanh
}
