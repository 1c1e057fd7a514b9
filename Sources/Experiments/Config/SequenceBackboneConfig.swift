/// `model.gru`: the GRU backbone of a sequence world model (Cho et al. 2014),
/// or with `stochastic_size > 0` an RSSM-lite (DreamerV3's recurrent
/// state-space model with a Gaussian latent, its KL added to the loss).
public struct GRUConfig: ConfigSection {
    /// Units of the recurrent state.
    public var hiddenSize = 128
    /// Stacked GRU layers.
    public var layers = 1
    /// Added to the update gate's bias at init so the state is kept at first (z ≈ sigmoid(bias)); 0 is PyTorch's init.
    public var updateGateBias = 1.0
    /// Size of the RSSM-lite's Gaussian stochastic latent (0: a plain GRU; > 0 needs layers: 1).
    public var stochasticSize = 0
    /// RSSM-lite only: the observation enters the GRU too, not only through the latent
    /// (`RSSMBackbone.observationToDeterministic`; what lets it learn the T-maze memory probe).
    public var observationToDeterministic = false

    public init() {}

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size"
        case layers
        case updateGateBias = "update_gate_bias"
        case stochasticSize = "stochastic_size"
        case observationToDeterministic = "observation_to_deterministic"
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.update(&hiddenSize, .hiddenSize)
        try c.update(&layers, .layers)
        try c.update(&updateGateBias, .updateGateBias)
        try c.update(&stochasticSize, .stochasticSize)
        try c.update(&observationToDeterministic, .observationToDeterministic)
    }

    public func validate() throws {
        try requireAtLeast(hiddenSize, 1, "hidden_size")
        try requireAtLeast(layers, 1, "layers")
        try requireAtLeast(stochasticSize, 0, "stochastic_size")
        if stochasticSize > 0 {
            try require(layers == 1, "layers", expected: "1 when stochastic_size > 0 (the RSSM-lite has one GRU layer)",
                        found: "\(layers)")
        }
        if observationToDeterministic {
            try require(stochasticSize > 0, "observation_to_deterministic",
                        expected: "false unless stochastic_size > 0 (it is an RSSM-lite setting)", found: "true")
        }
        try require(updateGateBias.isFinite, "update_gate_bias", expected: "a finite number",
                    found: ConfigScalar.render(updateGateBias))
    }
}

/// `model.transformer`: a causal transformer backbone with a key/value cache (Vaswani et al. 2017).
public struct TransformerConfig: ConfigSection {
    /// Width of the residual stream.
    public var dModel = 64
    /// Attention heads (must divide d_model).
    public var heads = 4
    /// Transformer blocks.
    public var layers = 2
    /// Hidden units of each block's feed-forward layer.
    public var feedforwardSize = 256
    /// Steps attended to (the key/value cache length).
    public var contextLength = 64

    public init() {}

    enum CodingKeys: String, CodingKey {
        case dModel = "d_model"
        case heads, layers
        case feedforwardSize = "feedforward_size"
        case contextLength = "context_length"
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.update(&dModel, .dModel)
        try c.update(&heads, .heads)
        try c.update(&layers, .layers)
        try c.update(&feedforwardSize, .feedforwardSize)
        try c.update(&contextLength, .contextLength)
    }

    public func validate() throws {
        try requireAtLeast(dModel, 1, "d_model")
        try requireAtLeast(heads, 1, "heads")
        try require(dModel % max(heads, 1) == 0, "heads", expected: "a divisor of d_model (\(dModel))", found: String(heads))
        try requireAtLeast(layers, 1, "layers")
        try requireAtLeast(feedforwardSize, 1, "feedforward_size")
        try requireAtLeast(contextLength, 1, "context_length")
    }
}

/// `model.s4wm`: an S4 world-model backbone (Gu et al. 2022; Deng et al. 2023).
public struct S4WMConfig: ConfigSection {
    /// Width of each layer's input and output.
    public var dModel = 64
    /// State size N per channel.
    public var dState = 64
    /// Stacked S4 layers.
    public var layers = 2
    /// Diagonal A: real (S4D-Real, A_n = −(n+1)) or complex (S4D-Lin, A_n = −½ + iπn).
    public var mode: S4DMode = .real
    /// Range of the initial step sizes Δ (log-uniform per channel).
    public var dtMin = 1e-3
    public var dtMax = 1e-1

    public init() {}

    enum CodingKeys: String, CodingKey {
        case dModel = "d_model"
        case dState = "d_state"
        case layers, mode
        case dtMin = "dt_min"
        case dtMax = "dt_max"
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.update(&dModel, .dModel)
        try c.update(&dState, .dState)
        try c.update(&layers, .layers)
        try c.update(&mode, .mode)
        try c.update(&dtMin, .dtMin)
        try c.update(&dtMax, .dtMax)
    }

    public func validate() throws {
        try requireAtLeast(dModel, 1, "d_model")
        try requireAtLeast(dState, 1, "d_state")
        try requireAtLeast(layers, 1, "layers")
        try require(dtMin > 0 && dtMin.isFinite, "dt_min", expected: "a positive number", found: ConfigScalar.render(dtMin))
        try require(dtMax >= dtMin && dtMax.isFinite, "dt_max", expected: "a number of at least dt_min (\(ConfigScalar.render(dtMin)))",
                    found: ConfigScalar.render(dtMax))
    }
}

/// The diagonal state matrix of an S4D layer (Gu et al. 2022, "On the Parameterization and
/// Initialization of Diagonal State Space Models").
public enum S4DMode: String, ConfigChoice {
    /// S4D-Real: A_n = −(n+1).
    case real
    /// S4D-Lin: complex A_n = −½ + iπn.
    case complex
}

/// `model.mamba`: a Mamba-like selective state-space backbone (Gu & Dao 2023).
public struct MambaConfig: ConfigSection {
    /// Width of the residual stream.
    public var dModel = 64
    /// State size N per channel.
    public var dState = 16
    /// Inner width factor (d_inner = expand · d_model).
    public var expand = 2
    /// Width of the causal depthwise convolution.
    public var dConv = 4
    /// Rank of the Δ projection (0: ceil(d_model / 16), the paper's default).
    public var dtRank = 0
    /// Stacked Mamba blocks.
    public var layers = 2
    /// Initial Δ drawn log-uniformly in [dt_init_min, dt_init_max] as in the Mamba reference
    /// (both 0: the softplus bias of torch_bench's model).
    public var dtInitMin = 0.0
    public var dtInitMax = 0.0
    /// a > 0 sets every A = −a at init (slow decay, long memory); 0: A_n = −(n+1).
    public var stateDecayInit = 0.0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case dModel = "d_model"
        case dState = "d_state"
        case expand
        case dConv = "d_conv"
        case dtRank = "dt_rank"
        case layers
        case dtInitMin = "dt_init_min"
        case dtInitMax = "dt_init_max"
        case stateDecayInit = "state_decay_init"
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.update(&dModel, .dModel)
        try c.update(&dState, .dState)
        try c.update(&expand, .expand)
        try c.update(&dConv, .dConv)
        try c.update(&dtRank, .dtRank)
        try c.update(&layers, .layers)
        try c.update(&dtInitMin, .dtInitMin)
        try c.update(&dtInitMax, .dtInitMax)
        try c.update(&stateDecayInit, .stateDecayInit)
    }

    public func validate() throws {
        try requireAtLeast(dModel, 1, "d_model")
        try requireAtLeast(dState, 1, "d_state")
        try requireAtLeast(expand, 1, "expand")
        try requireAtLeast(dConv, 1, "d_conv")
        try requireAtLeast(dtRank, 0, "dt_rank")
        try requireAtLeast(layers, 1, "layers")
        try require(dtInitMin >= 0 && dtInitMin.isFinite, "dt_init_min", expected: "a number >= 0 (0 with dt_init_max 0: the default init)",
                    found: ConfigScalar.render(dtInitMin))
        try require((dtInitMin == 0 && dtInitMax == 0) || (dtInitMin > 0 && dtInitMax >= dtInitMin && dtInitMax.isFinite), "dt_init_max",
                    expected: "a number of at least dt_init_min (\(ConfigScalar.render(dtInitMin))), or 0 with dt_init_min 0",
                    found: ConfigScalar.render(dtInitMax))
        try require(stateDecayInit >= 0 && stateDecayInit.isFinite, "state_decay_init", expected: "a number >= 0 (0: A_n = -(n+1))",
                    found: ConfigScalar.render(stateDecayInit))
    }
}
