import NN
import SeededRandom
import TensorCore

/// One pre-norm residual S4 block of S4WM (Deng, Park & Ahn 2023, "Facing Off
/// World Model Backbones: RNNs, Transformers, and S4"; `torch_bench.S4DBlock`):
///
///     out = x + Linear(GELU(S4D(LayerNorm(x))))
///
/// GELU is the exact (erf) form, as `F.gelu`. Parameters `norm.{weight,bias}` [d],
/// `ssm.*` (``S4DLayer``), `out.weight` [d, d], `out.bias` [d].
public final class S4WMBlock: ResidualSequenceBlock {
    public let norm: LayerNorm
    public let ssm: S4DLayer
    public let out: Linear
    /// Swift workers for the parallel form: the LayerNorm, GELU and output projection split their
    /// rows over them (pair with OpenBLAS at one thread); the S4D convolution splits its batch itself.
    public var threads: Int = 1

    /// `dtMin`, `dtMax`: the S4D layer's log-uniform step-size init range (``S4DLayer``).
    public init(modelSize d: Int, stateSize n: Int, mode: S4DLayer.Mode, dtMin: Float = 1e-3, dtMax: Float = 1e-1,
                generator: inout SeededGenerator) {
        norm = LayerNorm(size: d)
        ssm = S4DLayer(channels: d, stateSize: n, mode: mode, dtMin: dtMin, dtMax: dtMax, generator: &generator)
        out = Linear(inputSize: d, outputSize: d, generator: &generator)
    }

    public func namedParameters() -> [(String, Parameter)] {
        prefixed("norm", norm) + prefixed("ssm", ssm) + prefixed("out", out)
    }

    /// Parallel, differentiable: `[B, T, d]` → `[B, T, d]`.
    public func callAsFunction(_ x: Variable, resetMask: Tensor?) -> Variable {
        x + out.fused(ParallelGELU.apply(ssm(norm.fused(x, threads: threads), resetMask: resetMask), threads: threads),
                      threads: threads)
    }

    /// One recurrent step: `[rows, d]` → `[rows, d]`; `state` is the S4D layer's.
    public func step(_ x: Tensor, state: inout Tensor) -> Tensor {
        x + out(ssm.step(norm(x), state: &state).gelu())
    }
}
