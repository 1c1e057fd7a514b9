import NN
import SeededRandom

/// Receives the backbone maker `makeSequenceBackbone(settings:observationSize:into:)`
/// chose, with its concrete type (a visitor: the maker is called once per
/// member of a world model, or once for a benchmark).
public protocol SequenceBackboneBuilder {
    associatedtype Output
    /// Builds the output from `makeBackbone(inputSize, &generator)`.
    func build<Backbone: SequenceBackbone>(
        _ makeBackbone: @escaping (_ inputSize: Int, _ generator: inout SeededGenerator) throws -> Backbone
    ) throws -> Output
}

/// Hands `builder` the maker of the sequence backbone `settings.backbone`
/// names: `.gru` → the fused `GRUBackbone` (or `RSSMBackbone` when
/// `gru.stochasticSize > 0`), `.transformer` → `TransformerBackbone`, `.s4wm`
/// → `S4WMBackbone`, `.mamba` → `MambaBackbone`. This is the one place a
/// config's backbone group becomes a backbone: `makeWorldModel` and the
/// `mbrl bench` sequence cases both come through it.
///
/// Throws `WorldModelFactoryError` for settings no backbone accepts, and for `.mlp`.
public func makeSequenceBackbone<Builder: SequenceBackboneBuilder>(
    settings: WorldModelSettings, observationSize: Int, into builder: Builder
) throws -> Builder.Output {
    let threads = max(1, settings.sequenceThreads)
    switch settings.backbone {
    case .mlp:
        throw WorldModelFactoryError("model.backbone mlp is not a sequence backbone")
    case .gru:
        let gru = settings.gru
        guard gru.hiddenSize >= 1, gru.layers >= 1, gru.stochasticSize >= 0 else {
            throw WorldModelFactoryError("gru.hidden_size and gru.layers must be >= 1 and gru.stochastic_size >= 0, got \(gru.hiddenSize), \(gru.layers) and \(gru.stochasticSize)")
        }
        if gru.stochasticSize > 0 {
            guard gru.layers == 1 else {
                throw WorldModelFactoryError("gru.stochastic_size > 0 (RSSM-lite) needs gru.layers = 1, got \(gru.layers)")
            }
            return try builder.build { inputSize, g in
                RSSMBackbone(inputSize: inputSize, observationSize: observationSize, hiddenSize: gru.hiddenSize,
                             stochasticSize: gru.stochasticSize, headHiddenSize: gru.hiddenSize,
                             updateGateBias: gru.updateGateBias,
                             observationToDeterministic: gru.observationToDeterministic, generator: &g)
            }
        }
        return try builder.build { inputSize, g in
            GRUBackbone(inputSize: inputSize, hiddenSize: gru.hiddenSize, layers: gru.layers, threads: threads,
                        updateGateBias: gru.updateGateBias, generator: &g)
        }
    case .transformer:
        let t = settings.transformer
        do {
            return try builder.build { inputSize, g in
                let backbone = try TransformerBackbone(
                    TransformerConfiguration(inputSize: inputSize, modelSize: t.dModel, headCount: t.heads, layerCount: t.layers,
                                             feedForwardSize: t.feedforwardSize, context: t.contextLength),
                    generator: &g)
                backbone.threads = threads
                return backbone
            }
        } catch let error as TransformerConfigurationError {
            throw WorldModelFactoryError("transformer: \(error.message)")
        }
    case .s4wm:
        let c = settings.s4wm
        guard c.dModel >= 1, c.dState >= 1, c.layers >= 1 else {
            throw WorldModelFactoryError("s4wm.d_model, d_state and layers must be >= 1, got \(c.dModel), \(c.dState), \(c.layers)")
        }
        guard c.dtMin > 0, c.dtMax >= c.dtMin, c.dtMax.isFinite else {
            throw WorldModelFactoryError("s4wm needs 0 < dt_min <= dt_max, got \(c.dtMin) and \(c.dtMax)")
        }
        return try builder.build { inputSize, g in
            let backbone = S4WMBackbone(inputSize: inputSize, modelSize: c.dModel, layers: c.layers, stateSize: c.dState,
                                        mode: c.mode, dtMin: c.dtMin, dtMax: c.dtMax, generator: &g)
            backbone.threads = threads
            return backbone
        }
    case .mamba:
        let c = settings.mamba
        guard c.dModel >= 1, c.dState >= 1, c.expand >= 1, c.dConv >= 1, c.layers >= 1, (c.dtRank ?? 1) >= 1 else {
            throw WorldModelFactoryError("mamba.d_model, d_state, expand, d_conv, layers and dt_rank (when given) must be >= 1")
        }
        if let range = c.dtInitRange, !(range.lowerBound > 0 && range.upperBound.isFinite) {
            throw WorldModelFactoryError("mamba's initial dt range must be positive and finite, got \(range)")
        }
        if let decay = c.stateDecayInit, !(decay > 0 && decay.isFinite) {
            throw WorldModelFactoryError("mamba.state_decay_init must be positive, got \(decay)")
        }
        return try builder.build { inputSize, g in
            MambaBackbone(inputSize: inputSize, modelSize: c.dModel, layers: c.layers, stateSize: c.dState, expand: c.expand,
                          convSize: c.dConv, dtRank: c.dtRank, dtInitRange: c.dtInitRange,
                          stateDecayInit: c.stateDecayInit, generator: &g)
        }
    }
}

/// The single backbone `settings` names, for `inputSize` floats per step
/// (what a benchmark or a test measures; a world model builds one per member).
public func makeSequenceBackbone(settings: WorldModelSettings, inputSize: Int, observationSize: Int,
                                 generator: inout SeededGenerator) throws -> any SequenceBackbone {
    /// Calls the maker once.
    struct Single: SequenceBackboneBuilder {
        var make: (_ build: (Int, inout SeededGenerator) throws -> any SequenceBackbone) throws -> any SequenceBackbone
        func build<Backbone: SequenceBackbone>(
            _ makeBackbone: @escaping (Int, inout SeededGenerator) throws -> Backbone
        ) throws -> any SequenceBackbone {
            try make { try makeBackbone($0, &$1) }
        }
    }
    var g = generator
    defer { generator = g }
    return try makeSequenceBackbone(settings: settings, observationSize: observationSize,
                                    into: Single { try $0(inputSize, &g) })
}
