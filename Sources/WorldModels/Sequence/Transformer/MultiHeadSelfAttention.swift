import NN
import SeededRandom
import TensorCore

/// Multi-head causal self-attention with packed input projection, PyTorch
/// `nn.MultiheadAttention(d, H, batch_first=True)` as used by
/// `nn.TransformerEncoderLayer` (parameter names and layout included):
///
///     [Q | K | V] = x·in_proj_weightᵀ + in_proj_bias      (in_proj_weight [3d, d] stacks q, k, v)
///     out = CausalAttention([Q | K | V]) · out_projᵀ + b   (see ``CausalAttention``)
///
/// Init as PyTorch: `in_proj_weight` Xavier-uniform (bound √(6 / 4d)), both
/// biases zero, `out_proj.weight` the default Linear init U(±1/√d).
/// Cost per step: 8d² flops for the projections plus 4·T·d for attention over T keys.
public final class MultiHeadSelfAttention: Module {
    public let modelSize: Int
    public let headCount: Int
    /// `[3d, d]`: rows 0..<d project queries, d..<2d keys, 2d..<3d values.
    public let inProjectionWeight: Parameter
    /// `[3d]`.
    public let inProjectionBias: Parameter
    public let outProjection: Linear

    public init(modelSize d: Int, headCount: Int, generator: inout SeededGenerator) {
        precondition(d > 0 && headCount > 0 && d % headCount == 0, "MultiHeadSelfAttention: d \(d) must be divisible by \(headCount) heads")
        modelSize = d
        self.headCount = headCount
        let bound = (6 / Float(4 * d)).squareRoot()
        inProjectionWeight = Parameter(Tensor(shape: [3 * d, d], uniformLow: -bound, high: bound, generator: &generator))
        inProjectionBias = Parameter(Tensor(zeros: [3 * d]))
        outProjection = Linear(inputSize: d, outputSize: d, generator: &generator)
        outProjection.bias!.value = Tensor(zeros: [d])
    }

    public func namedParameters() -> [(String, Parameter)] {
        [("in_proj_weight", inProjectionWeight), ("in_proj_bias", inProjectionBias)] + prefixed("out_proj", outProjection)
    }

    /// Differentiable forward: `[B, T, d]` → `[B, T, d]`, each step attending to steps
    /// `starts[b·T + t] ... t` of its window (`starts` nil: `0 ... t`).
    public func callAsFunction(_ x: Variable, starts: [Int32]?, threads: Int = 1) -> Variable {
        let qkv = fusedAffine(x, weight: inProjectionWeight, bias: inProjectionBias, threads: threads)
        return outProjection.fused(CausalAttention.apply(qkv, heads: headCount, starts: starts, threads: threads), threads: threads)
    }

    /// Inference forward over whole windows (no tape).
    public func callAsFunction(_ x: Tensor, starts: [Int32]?, threads: Int = 1) -> Tensor {
        outProjection(CausalAttention.forward(projections(x), heads: headCount, starts: starts, threads: threads))
    }

    /// `[..., d]` → `[..., 3d]` packed queries, keys and values.
    public func projections(_ x: Tensor) -> Tensor {
        var qkv = Tensor.matmul(x, inProjectionWeight.value, transposeB: true)
        qkv.add(broadcasting: inProjectionBias.value)
        return qkv
    }
}

