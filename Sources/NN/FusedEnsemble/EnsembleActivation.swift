import CKernels

/// The hidden-layer non-linearity of a ``GaussianEnsembleMLP``, applied by a
/// vectorised C kernel (`mbrl_ens_bias_activation`) that also stores the
/// derivative for the backward pass.
///
/// PyTorch conventions: `silu(x) = x·σ(x)` (`swish` is the same function, the
/// name mbrl-lib's configs use), `leakyRelu` has slope 0.01 for x ≤ 0, and the
/// derivative at a kink is the left one (relu'(0) = 0, leakyRelu'(0) = 0.01).
public enum EnsembleActivation: String, Codable, CaseIterable, Sendable {
    case silu
    case swish
    case relu
    case leakyRelu
    case tanh

    /// The kernel code (`MBRL_ACT_*` of EnsembleKernels.h).
    var kernelCode: Int32 {
        switch self {
        case .silu, .swish: return MBRL_ACT_SILU
        case .relu: return MBRL_ACT_RELU
        case .leakyRelu: return MBRL_ACT_LEAKY_RELU
        case .tanh: return MBRL_ACT_TANH
        }
    }
}
