import NN
import SeededRandom

/// The world-model families selectable by `model.backbone`.
public enum WorldModelBackbone: String, Sendable, CaseIterable, Codable {
    /// The PETS MLP ensemble (`EnsembleWorldModel`), the baseline.
    case mlp
    /// `SequenceWorldModel` with a GRU backbone.
    case gru
    /// S4 world model (diagonal state space, S4D).
    case s4wm
    /// Mamba-like selective SSM.
    case mamba
    /// Causal transformer with a key/value cache.
    case transformer
}

/// GRU backbone settings.
public struct GRUBackboneSettings: Sendable, Equatable {
    public var hiddenSize = 128
    public var layers = 1
    /// Added to the update gate's bias at init (see `UnrolledGRUBackbone`).
    public var updateGateBias: Float = 1
    /// Size of the Gaussian stochastic latent of an RSSM-lite (`RSSMBackbone`,
    /// one GRU layer of `hiddenSize` units); 0 means a plain GRU.
    public var stochasticSize = 0
    /// RSSM-lite: feed the observation to the GRU too (`RSSMBackbone.observationToDeterministic`).
    public var observationToDeterministic = false
    public init() {}
}

/// Causal transformer backbone settings.
public struct TransformerBackboneSettings: Sendable, Equatable {
    public var dModel = 64
    public var heads = 4
    public var layers = 2
    public var feedforwardSize = 256
    /// Steps kept in the key/value cache (the attention window).
    public var contextLength = 64
    public init() {}
}

/// S4 world-model backbone settings.
public struct S4WMBackboneSettings: Sendable, Equatable {
    public var dModel = 64
    public var dState = 64
    public var layers = 2
    /// S4D-Real or complex (S4D-Lin) diagonal A.
    public var mode: S4DLayer.Mode = .real
    /// Range of the initial step sizes Δ.
    public var dtMin: Float = 1e-3
    public var dtMax: Float = 1e-1
    public init() {}
}

/// Mamba-like backbone settings (Gu & Dao 2023 names).
public struct MambaBackboneSettings: Sendable, Equatable {
    public var dModel = 64
    public var dState = 16
    public var expand = 2
    public var dConv = 4
    /// Rank of the Δ projection (0: ⌈d_model / 16⌉ as in the paper).
    public var dtRank = 0
    public var layers = 2
    /// Initial Δ range (log-uniform, the Mamba reference's init); nil: torch_bench's init.
    public var dtInitRange: ClosedRange<Float>?
    /// Every A = −a at init; nil: A_n = −(n+1).
    public var stateDecayInit: Float?
    public init() {}
}

/// Everything `makeWorldModel` needs, in plain Swift types (the experiment
/// config maps onto it; WorldModels does not know the config schema).
public struct WorldModelSettings: Sendable, Equatable {
    public var backbone: WorldModelBackbone = .mlp
    /// Settings of the MLP ensemble (`backbone == .mlp`).
    public var ensemble = EnsembleWorldModelConfiguration()
    /// Members, heads and propagation of a sequence model (other backbones).
    public var sequence = SequenceWorldModelConfiguration()
    /// Training of a sequence model.
    public var training = SequenceTrainingConfiguration()
    public var gru = GRUBackboneSettings()
    public var transformer = TransformerBackboneSettings()
    public var s4wm = S4WMBackboneSettings()
    public var mamba = MambaBackboneSettings()
    public init() {}
}

/// A world model that cannot be built from the settings given.
public struct WorldModelFactoryError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Builds the world model `settings.backbone` names, seeded by `seed`:
/// `.mlp` → `EnsembleWorldModel(settings.ensemble)`; every other backbone →
/// `SequenceWorldModel<Backbone>` with `settings.sequence` and
/// `settings.training`: `.gru` → `UnrolledGRUBackbone` (or `RSSMBackbone`
/// when `gru.stochasticSize > 0`), `.transformer` → `TransformerBackbone`,
/// `.s4wm` → `S4WMBackbone`, `.mamba` → `MambaBackbone`.
public func makeWorldModel(settings: WorldModelSettings, observationSize: Int, actionSize: Int,
                           seed: UInt64) throws -> any TrainableWorldModel {
    guard observationSize > 0, actionSize > 0 else {
        throw WorldModelFactoryError("world model sizes must be positive, got observation \(observationSize), action \(actionSize)")
    }
    var generator = SeededGenerator(seed: seed)
    /// A `SequenceWorldModel` of `settings.sequence` members on `makeBackbone`, trained with `settings.training`.
    func sequenceModel<Backbone: SequenceBackbone>(
        _ makeBackbone: (_ inputSize: Int, _ generator: inout SeededGenerator) throws -> Backbone
    ) rethrows -> SequenceWorldModel<Backbone> {
        let model = try SequenceWorldModel(observationSize: observationSize, actionSize: actionSize,
                                           configuration: settings.sequence, generator: &generator, makeBackbone: makeBackbone)
        model.training = settings.training
        return model
    }
    switch settings.backbone {
    case .mlp:
        return try EnsembleWorldModel(observationSize: observationSize, actionSize: actionSize,
                                      configuration: settings.ensemble, generator: &generator)
    case .gru:
        let gru = settings.gru
        guard gru.hiddenSize >= 1, gru.layers >= 1, gru.stochasticSize >= 0 else {
            throw WorldModelFactoryError("gru.hidden_size and gru.layers must be >= 1 and gru.stochastic_size >= 0, got \(gru.hiddenSize), \(gru.layers) and \(gru.stochasticSize)")
        }
        if gru.stochasticSize > 0 {
            guard gru.layers == 1 else {
                throw WorldModelFactoryError("gru.stochastic_size > 0 (RSSM-lite) needs gru.layers = 1, got \(gru.layers)")
            }
            return sequenceModel { inputSize, g in
                RSSMBackbone(inputSize: inputSize, observationSize: observationSize, hiddenSize: gru.hiddenSize,
                             stochasticSize: gru.stochasticSize, headHiddenSize: gru.hiddenSize,
                             updateGateBias: gru.updateGateBias,
                             observationToDeterministic: gru.observationToDeterministic, generator: &g)
            }
        }
        return sequenceModel { inputSize, g in
            UnrolledGRUBackbone(inputSize: inputSize, hiddenSize: gru.hiddenSize, layers: gru.layers,
                                updateGateBias: gru.updateGateBias, generator: &g)
        }
    case .transformer:
        let t = settings.transformer
        do {
            return try sequenceModel { inputSize, g in
                try TransformerBackbone(TransformerConfiguration(inputSize: inputSize, modelSize: t.dModel, headCount: t.heads,
                                                                 layerCount: t.layers, feedForwardSize: t.feedforwardSize,
                                                                 context: t.contextLength), generator: &g)
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
        return sequenceModel { inputSize, g in
            S4WMBackbone(inputSize: inputSize, modelSize: c.dModel, layers: c.layers, stateSize: c.dState, mode: c.mode,
                         dtMin: c.dtMin, dtMax: c.dtMax, generator: &g)
        }
    case .mamba:
        let c = settings.mamba
        guard c.dModel >= 1, c.dState >= 1, c.expand >= 1, c.dConv >= 1, c.layers >= 1, c.dtRank >= 0 else {
            throw WorldModelFactoryError("mamba.d_model, d_state, expand, d_conv and layers must be >= 1 and dt_rank >= 0 (0: ceil(d_model / 16))")
        }
        if let range = c.dtInitRange, !(range.lowerBound > 0 && range.upperBound.isFinite) {
            throw WorldModelFactoryError("mamba's initial dt range must be positive and finite, got \(range)")
        }
        if let decay = c.stateDecayInit, !(decay > 0 && decay.isFinite) {
            throw WorldModelFactoryError("mamba.state_decay_init must be positive, got \(decay)")
        }
        return sequenceModel { inputSize, g in
            MambaBackbone(inputSize: inputSize, modelSize: c.dModel, layers: c.layers, stateSize: c.dState, expand: c.expand,
                          convSize: c.dConv, dtRank: c.dtRank == 0 ? nil : c.dtRank, dtInitRange: c.dtInitRange,
                          stateDecayInit: c.stateDecayInit, generator: &g)
        }
    }
}
