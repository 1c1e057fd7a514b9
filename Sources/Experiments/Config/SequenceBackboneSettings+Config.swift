import WorldModels

// The backbone groups of `model:` decode straight into the settings types the
// world-model factory takes (one type per concept; absent keys keep the
// defaults, `null` means "not set" where the setting is optional).

/// `model.gru`: the fused GRU backbone of a sequence world model (Cho et al. 2014),
/// or with `stochastic_size > 0` an RSSM-lite (DreamerV3's recurrent state-space
/// model with a Gaussian latent, its KL added to the loss).
extension GRUBackboneSettings: ConfigSection {
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

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(layers, forKey: .layers)
        try c.encode(updateGateBias, forKey: .updateGateBias)
        try c.encode(stochasticSize, forKey: .stochasticSize)
        try c.encode(observationToDeterministic, forKey: .observationToDeterministic)
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
/// `context_length` must cover the training window (`model.sequence_length`, checked by `ModelConfig`).
extension TransformerBackboneSettings: ConfigSection {
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

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dModel, forKey: .dModel)
        try c.encode(heads, forKey: .heads)
        try c.encode(layers, forKey: .layers)
        try c.encode(feedforwardSize, forKey: .feedforwardSize)
        try c.encode(contextLength, forKey: .contextLength)
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
/// `mode`: real (S4D-Real, A_n = −(n+1)) or complex (S4D-Lin, A_n = −½ + iπn).
extension S4WMBackboneSettings: ConfigSection {
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

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dModel, forKey: .dModel)
        try c.encode(dState, forKey: .dState)
        try c.encode(layers, forKey: .layers)
        try c.encode(mode, forKey: .mode)
        try c.encode(dtMin, forKey: .dtMin)
        try c.encode(dtMax, forKey: .dtMax)
    }

    public func validate() throws {
        try requireAtLeast(dModel, 1, "d_model")
        try requireAtLeast(dState, 1, "d_state")
        try requireAtLeast(layers, 1, "layers")
        try require(dtMin > 0 && dtMin.isFinite, "dt_min", expected: "a positive number", found: ConfigScalar.render(dtMin))
        try require(dtMax >= dtMin && dtMax.isFinite, "dt_max",
                    expected: "a number of at least dt_min (\(ConfigScalar.render(dtMin)))",
                    found: ConfigScalar.render(dtMax))
    }
}

/// The diagonal state matrix of an S4D layer (Gu et al. 2022): `real` | `complex`.
extension S4DLayer.Mode: ConfigChoice {
    public static var allCases: [S4DLayer.Mode] { [.real, .complex] }
}

/// `model.mamba`: a Mamba-like selective state-space backbone (Gu & Dao 2023).
/// `dt_rank` (null: ceil(d_model / 16)); `dt_init_min` and `dt_init_max` together
/// (both null: torch_bench's softplus bias; else Δ log-uniform in the range, the
/// Mamba reference's init); `state_decay_init` (null: A_n = −(n+1); a > 0: every A = −a).
extension MambaBackboneSettings: ConfigSection {
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
        dtRank = try c.decodeIfPresent(Int.self, forKey: .dtRank)
        try c.update(&layers, .layers)
        let low = try c.decodeIfPresent(Float.self, forKey: .dtInitMin)
        let high = try c.decodeIfPresent(Float.self, forKey: .dtInitMax)
        func fail(_ key: CodingKeys, _ expected: String, _ found: Float?) -> ConfigError {
            ConfigError(.outOfRange(expected: expected, found: found.map { ConfigScalar.render($0) } ?? "null"),
                        keyPath: (c.codingPath + [key]).map(\.stringValue))
        }
        switch (low, high) {
        case (nil, nil): dtInitRange = nil
        case let (low?, high?):
            guard low > 0, low.isFinite else { throw fail(.dtInitMin, "a positive number", low) }
            guard high >= low, high.isFinite else {
                throw fail(.dtInitMax, "a number of at least dt_init_min (\(ConfigScalar.render(low)))", high)
            }
            dtInitRange = low...high
        case (nil, let high?):
            throw fail(.dtInitMin, "a positive number of at most dt_init_max (\(ConfigScalar.render(high))); set both or neither", nil)
        case (let low?, nil):
            throw fail(.dtInitMax, "a number of at least dt_init_min (\(ConfigScalar.render(low))); set both or neither", nil)
        }
        stateDecayInit = try c.decodeIfPresent(Float.self, forKey: .stateDecayInit)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dModel, forKey: .dModel)
        try c.encode(dState, forKey: .dState)
        try c.encode(expand, forKey: .expand)
        try c.encode(dConv, forKey: .dConv)
        try c.encode(dtRank, forKey: .dtRank)
        try c.encode(layers, forKey: .layers)
        try c.encode(dtInitRange?.lowerBound, forKey: .dtInitMin)
        try c.encode(dtInitRange?.upperBound, forKey: .dtInitMax)
        try c.encode(stateDecayInit, forKey: .stateDecayInit)
    }

    public func validate() throws {
        try requireAtLeast(dModel, 1, "d_model")
        try requireAtLeast(dState, 1, "d_state")
        try requireAtLeast(expand, 1, "expand")
        try requireAtLeast(dConv, 1, "d_conv")
        if let dtRank { try requireAtLeast(dtRank, 1, "dt_rank") }
        try requireAtLeast(layers, 1, "layers")
        if let stateDecayInit {
            try require(stateDecayInit > 0 && stateDecayInit.isFinite, "state_decay_init",
                        expected: "a positive number (null: A_n = -(n+1))", found: ConfigScalar.render(stateDecayInit))
        }
    }
}
