import NN

/// The world-model families selectable by `model.backbone`.
public enum WorldModelBackbone: String, Sendable, CaseIterable, Codable {
    /// The PETS MLP ensemble (`EnsembleWorldModel`), the baseline.
    case mlp
    /// `SequenceWorldModel` with the fused GRU (`GRUBackbone`), or an RSSM-lite.
    case gru
    /// S4 world model (diagonal state space, S4D).
    case s4wm
    /// Mamba-like selective SSM.
    case mamba
    /// Causal transformer with a key/value cache.
    case transformer
}

/// GRU backbone settings (`model.gru`).
public struct GRUBackboneSettings: Sendable, Equatable {
    /// Units of the recurrent state.
    public var hiddenSize = 128
    /// Stacked GRU layers.
    public var layers = 1
    /// Added to the update gate's bias at init (see `GRUBackbone`); 0 is PyTorch's init.
    public var updateGateBias: Float = 1
    /// Size of the Gaussian stochastic latent of an RSSM-lite (`RSSMBackbone`,
    /// one GRU layer of `hiddenSize` units); 0 means a plain GRU.
    public var stochasticSize = 0
    /// RSSM-lite: feed the observation to the GRU too (`RSSMBackbone.observationToDeterministic`).
    public var observationToDeterministic = false
    public init() {}
}

/// Causal transformer backbone settings (`model.transformer`).
public struct TransformerBackboneSettings: Sendable, Equatable {
    /// Width of the residual stream.
    public var dModel = 64
    /// Attention heads (must divide `dModel`).
    public var heads = 4
    /// Transformer blocks.
    public var layers = 2
    /// Hidden units of each block's feed-forward layer.
    public var feedforwardSize = 256
    /// Steps kept in the key/value cache (the attention window); at least the training window.
    public var contextLength = 64
    public init() {}
}

/// S4 world-model backbone settings (`model.s4wm`).
public struct S4WMBackboneSettings: Sendable, Equatable {
    /// Width of each layer's input and output.
    public var dModel = 64
    /// State size N per channel.
    public var dState = 64
    /// Stacked S4 layers.
    public var layers = 2
    /// S4D-Real or complex (S4D-Lin) diagonal A.
    public var mode: S4DLayer.Mode = .real
    /// Range of the initial step sizes Δ (log-uniform per channel).
    public var dtMin: Float = 1e-3
    public var dtMax: Float = 1e-1
    public init() {}
}

/// Mamba-like backbone settings (`model.mamba`, Gu & Dao 2023 names).
public struct MambaBackboneSettings: Sendable, Equatable {
    /// Width of the residual stream.
    public var dModel = 64
    /// State size N per channel.
    public var dState = 16
    /// Inner width factor (d_inner = expand · d_model).
    public var expand = 2
    /// Width of the causal depthwise convolution.
    public var dConv = 4
    /// Rank of the Δ projection; nil: ⌈d_model / 16⌉ as in the paper.
    public var dtRank: Int?
    /// Stacked Mamba blocks.
    public var layers = 2
    /// Initial Δ range (log-uniform, the Mamba reference's init); nil: torch_bench's init.
    public var dtInitRange: ClosedRange<Float>?
    /// Every A = −a at init (slow decay, long memory); nil: A_n = −(n+1).
    public var stateDecayInit: Float?
    public init() {}
}

/// Everything `makeWorldModel` needs, in plain Swift types (the experiment
/// config decodes the backbone groups into these types directly).
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
    /// Worker threads of a sequence backbone's fused kernels (GRU, transformer).
    /// With more than one, the caller sets OpenBLAS to one thread (`BLAS.setThreadCount(1)`).
    public var sequenceThreads = 1
    public init() {}
}

/// A world model that cannot be built from the settings given.
public struct WorldModelFactoryError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
