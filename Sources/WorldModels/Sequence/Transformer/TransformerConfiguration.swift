/// The shape of a ``TransformerBackbone``: a GPT-style causal transformer
/// encoder (pre-LN, GELU, no dropout) with PyTorch `nn.TransformerEncoderLayer`
/// conventions. Defaults are peers/torch_bench.py's `transformer_seq` model.
public struct TransformerConfiguration: Codable, Equatable, Sendable {
    /// Floats per input step.
    public var inputSize: Int
    /// Width of the residual stream, d_model (also the feature size).
    public var modelSize: Int = 128
    /// Attention heads H; `modelSize` must be divisible by H.
    public var headCount: Int = 4
    /// Number of pre-LN encoder layers N.
    public var layerCount: Int = 2
    /// Hidden width of each layer's MLP (d → ff → d).
    public var feedForwardSize: Int = 512
    /// Longest window attended: the parallel forward takes at most `context`
    /// steps, the learned position table has `context` rows, and the recurrent
    /// key/value window holds at most `context` steps (re-anchored when full).
    /// Train on windows of `context` steps so that every window imagined is one trained on.
    public var context: Int = 64
    /// How step positions enter the residual stream.
    public var positionalEncoding: PositionalEncoding = .learned
    /// LayerNorm ε (PyTorch's default 1e-5).
    public var layerNormEpsilon: Float = 1e-5

    public init(inputSize: Int, modelSize: Int = 128, headCount: Int = 4, layerCount: Int = 2,
                feedForwardSize: Int = 512, context: Int = 64, positionalEncoding: PositionalEncoding = .learned,
                layerNormEpsilon: Float = 1e-5) {
        self.inputSize = inputSize
        self.modelSize = modelSize
        self.headCount = headCount
        self.layerCount = layerCount
        self.feedForwardSize = feedForwardSize
        self.context = context
        self.positionalEncoding = positionalEncoding
        self.layerNormEpsilon = layerNormEpsilon
    }

    /// Throws ``TransformerConfigurationError`` naming the first field out of range.
    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws {
            if !ok { throw TransformerConfigurationError(message: message) }
        }
        try check(inputSize >= 1, "inputSize must be at least 1, got \(inputSize)")
        try check(modelSize >= 1, "modelSize must be at least 1, got \(modelSize)")
        try check(headCount >= 1, "headCount must be at least 1, got \(headCount)")
        try check(modelSize % headCount == 0, "modelSize (\(modelSize)) must be divisible by headCount (\(headCount))")
        try check(layerCount >= 1, "layerCount must be at least 1, got \(layerCount)")
        try check(feedForwardSize >= 1, "feedForwardSize must be at least 1, got \(feedForwardSize)")
        try check(context >= 1, "context must be at least 1, got \(context)")
        try check(layerNormEpsilon > 0, "layerNormEpsilon must be positive, got \(layerNormEpsilon)")
        try check(positionalEncoding != .sinusoidal || modelSize % 2 == 0,
                  "sinusoidal positions need an even modelSize, got \(modelSize)")
    }
}

/// Position information added to the input projection of a ``TransformerBackbone``.
public enum PositionalEncoding: String, Codable, Sendable {
    /// A trained table `pos [1, context, d]` (GPT-2; torch_bench's `TransformerModel`), init N(0, 0.02²).
    case learned
    /// Fixed sinusoids (Vaswani et al. 2017): PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(·). No parameters.
    case sinusoidal
}

/// A ``TransformerConfiguration`` field out of range.
public struct TransformerConfigurationError: Error, Equatable, CustomStringConvertible {
    /// What was wrong and what was expected.
    public let message: String
    public var description: String { "invalid transformer configuration: \(message)" }
}
