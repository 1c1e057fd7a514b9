/// Adam hyper-parameters for ``GaussianEnsembleMLP/trainStep(inputs:targets:optimizer:)``,
/// with torch.optim.Adam semantics (kernel `mbrl_adam_update`).
///
/// Weight decay, two conventions:
/// - `weightDecay` on *every* parameter, as mbrl-lib's `ModelTrainer` does by
///   passing `weight_decay` to `torch.optim.Adam` (an L2 term added to the
///   gradient inside Adam, "coupled"), or decoupled AdamW with `decoupled`;
/// - `layerWeightDecay`: one decay per linear layer (hidden layers, then the
///   head) on that layer's weights only, as the original PETS code
///   (e.g. `[2.5e-5, 5e-5, 7.5e-5, 7.5e-5, 1e-4]`). Added to `weightDecay`.
public struct EnsembleAdamSettings: Codable, Equatable, Sendable {
    /// Step size (mbrl-lib PETS: 7.5e-4 in torch_bench, 1e-3 in its configs).
    public var learningRate: Float = 1e-3
    /// First-moment decay.
    public var beta1: Float = 0.9
    /// Second-moment decay.
    public var beta2: Float = 0.999
    /// Added to √v̂ (torch default 1e-8).
    public var epsilon: Float = 1e-8
    /// Decay applied to all parameters (0 = none).
    public var weightDecay: Float = 0
    /// Optional per-linear-layer decay on weights (count = hiddenLayers + 1).
    public var layerWeightDecay: [Float]? = nil
    /// `true`: AdamW (decoupled decay); `false`: L2 inside Adam (torch Adam, mbrl-lib).
    public var decoupled: Bool = false

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, layerWeightDecay: [Float]? = nil,
                decoupled: Bool = false) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.layerWeightDecay = layerWeightDecay
        self.decoupled = decoupled
    }

    /// Throws ``GaussianEnsembleMLPError/invalidConfiguration(_:)`` naming the
    /// first bad field; `linearLayers` is the network's hidden layers + 1 (head).
    public func validate(linearLayers: Int) throws {
        func check(_ ok: Bool, _ message: String) throws {
            if !ok { throw GaussianEnsembleMLPError.invalidConfiguration(message) }
        }
        try check(learningRate > 0 && learningRate.isFinite, "learningRate must be positive, got \(learningRate)")
        try check((0..<1).contains(beta1), "beta1 must be in [0, 1), got \(beta1)")
        try check((0..<1).contains(beta2), "beta2 must be in [0, 1), got \(beta2)")
        try check(epsilon >= 0, "epsilon must be non-negative, got \(epsilon)")
        try check(weightDecay >= 0, "weightDecay must be non-negative, got \(weightDecay)")
        if let decays = layerWeightDecay {
            try check(decays.count == linearLayers,
                      "layerWeightDecay must have \(linearLayers) values (hidden layers + head), got \(decays.count)")
            try check(decays.allSatisfy { $0 >= 0 }, "layerWeightDecay values must be non-negative, got \(decays)")
        }
    }
}
