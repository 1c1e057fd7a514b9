/// The shape and conventions of a ``GaussianEnsembleMLP`` (PETS, Chua et al.
/// 2018; mbrl-lib's `GaussianMLP`).
///
/// Member `e` maps `x ∈ ℝ^inputSize` through `hiddenLayers` layers
/// `h ← act(h·W + b)` of width `hiddenSize`, then a head `h·W + b` giving the
/// mean and (unless `deterministic`) the raw log-variance of `outputSize`
/// outputs.
public struct GaussianEnsembleMLPConfiguration: Codable, Equatable, Sendable {
    /// Number of members E (PETS uses 5; mbrl-lib's default 7 with 5 elites).
    public var ensembleSize: Int = 5
    /// Input width (observation + action for a dynamics model).
    public var inputSize: Int
    /// Output width D (next-observation delta + reward); the head has 2D outputs
    /// for a probabilistic ensemble, D for a deterministic one.
    public var outputSize: Int
    /// Width of every hidden layer.
    public var hiddenSize: Int = 200
    /// Number of hidden layers (≥ 1); mbrl-lib's PETS configs use 4.
    public var hiddenLayers: Int = 4
    /// Hidden non-linearity.
    public var activation: EnsembleActivation = .silu
    /// `true`: predict the mean only and train with MSE (a deterministic ensemble).
    public var deterministic: Bool = false
    /// `true`: `min_logvar` / `max_logvar` are trained (with the 0.01 penalty term);
    /// `false`: they stay at their initial values (-10, 0.5).
    public var learnLogVarianceBounds: Bool = true
    /// How weights are drawn (biases start at zero either way).
    public var initialization: EnsembleInitialization = .truncatedNormal

    public init(ensembleSize: Int = 5, inputSize: Int, outputSize: Int, hiddenSize: Int = 200,
                hiddenLayers: Int = 4, activation: EnsembleActivation = .silu,
                deterministic: Bool = false, learnLogVarianceBounds: Bool = true,
                initialization: EnsembleInitialization = .truncatedNormal) {
        self.ensembleSize = ensembleSize
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.hiddenSize = hiddenSize
        self.hiddenLayers = hiddenLayers
        self.activation = activation
        self.deterministic = deterministic
        self.learnLogVarianceBounds = learnLogVarianceBounds
        self.initialization = initialization
    }

    /// Throws ``GaussianEnsembleMLPError/invalidConfiguration(_:)`` naming the
    /// first field out of range.
    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws {
            if !ok { throw GaussianEnsembleMLPError.invalidConfiguration(message) }
        }
        try check(ensembleSize >= 1, "ensembleSize must be at least 1, got \(ensembleSize)")
        try check(inputSize >= 1, "inputSize must be at least 1, got \(inputSize)")
        try check(outputSize >= 1, "outputSize must be at least 1, got \(outputSize)")
        try check(hiddenSize >= 1, "hiddenSize must be at least 1, got \(hiddenSize)")
        try check(hiddenLayers >= 1, "hiddenLayers must be at least 1, got \(hiddenLayers)")
    }

    /// Width of the head: 2D (mean | raw log-variance), or D if deterministic.
    public var headSize: Int { deterministic ? outputSize : 2 * outputSize }
}

/// Weight initialisation of a ``GaussianEnsembleMLP``; biases are zero.
public enum EnsembleInitialization: String, Codable, Sendable {
    /// mbrl-lib's `truncated_normal_init`: N(0, σ²) with σ = 1 / (2·√fanIn),
    /// values outside ±2σ redrawn. The default, as this type follows mbrl-lib.
    case truncatedNormal
    /// U(-1/√fanIn, 1/√fanIn), as `EnsembleLinear` of peers/torch_bench.py (and
    /// torch's `nn.Linear` weight bound).
    case uniform
}

/// Errors from user-supplied configurations and parameter values.
public enum GaussianEnsembleMLPError: Error, Equatable, CustomStringConvertible {
    /// A configuration field is out of range.
    case invalidConfiguration(String)
    /// `setParameter` named a parameter that does not exist.
    case unknownParameter(name: String, known: [String])
    /// `setParameter` got the wrong number of values.
    case parameterSizeMismatch(name: String, expected: Int, got: Int)

    public var description: String {
        switch self {
        case .invalidConfiguration(let m): return "invalid GaussianEnsembleMLP configuration: \(m)"
        case .unknownParameter(let n, let known):
            return "unknown parameter '\(n)'; expected one of \(known.joined(separator: ", "))"
        case .parameterSizeMismatch(let n, let e, let g):
            return "parameter '\(n)' has \(e) values, got \(g)"
        }
    }
}
