import CKernels
import NN
import SeededRandom
import TensorCore

/// One pre-LN transformer encoder layer with a causal mask, PyTorch
/// `nn.TransformerEncoderLayer(d, H, ff, dropout=0, activation="gelu",
/// batch_first=True, norm_first=True)` (Xiong et al. 2020's pre-LN form):
///
///     h = x + SelfAttention(norm1(x))
///     y = h + linear2(GELU(linear1(norm2(h))))          GELU: exact (erf) form
///
/// Parameter names follow PyTorch (`self_attn.in_proj_weight`, `self_attn.out_proj.*`,
/// `linear1.*`, `linear2.*`, `norm1.*`, `norm2.*`), so checkpoints exchange.
/// Count: 4d² + 4d (attention) + 2·d·ff + ff + d (MLP) + 4d (norms).
///
/// Two forms: the parallel, differentiable forward over windows `[B, T, d]`,
/// and ``step(_:keys:values:slot:length:)``, one step for `[rows, d]` against a
/// key/value cache (no tape).
public final class TransformerEncoderLayer: Module {
    public let selfAttention: MultiHeadSelfAttention
    public let linear1: Linear
    public let linear2: Linear
    public let norm1: LayerNorm
    public let norm2: LayerNorm

    public init(modelSize d: Int, headCount: Int, feedForwardSize ff: Int, layerNormEpsilon: Float = 1e-5,
                generator: inout SeededGenerator) {
        selfAttention = MultiHeadSelfAttention(modelSize: d, headCount: headCount, generator: &generator)
        linear1 = Linear(inputSize: d, outputSize: ff, generator: &generator)
        linear2 = Linear(inputSize: ff, outputSize: d, generator: &generator)
        norm1 = LayerNorm(size: d, epsilon: layerNormEpsilon)
        norm2 = LayerNorm(size: d, epsilon: layerNormEpsilon)
    }

    public var modelSize: Int { selfAttention.modelSize }

    public func namedParameters() -> [(String, Parameter)] {
        prefixed("self_attn", selfAttention) + prefixed("linear1", linear1) + prefixed("linear2", linear2)
            + prefixed("norm1", norm1) + prefixed("norm2", norm2)
    }

    /// Differentiable forward `[B, T, d]` → `[B, T, d]`; `starts` as in ``CausalAttention``.
    public func callAsFunction(_ x: Variable, starts: [Int32]?, threads: Int = 1) -> Variable {
        let h = x + selfAttention(norm1.fused(x, threads: threads), starts: starts, threads: threads)
        return h + FusedFeedForward.apply(norm2.fused(h, threads: threads), linear1, linear2, threads: threads)
    }

    /// Inference forward over windows (no tape).
    public func callAsFunction(_ x: Tensor, starts: [Int32]?, threads: Int = 1) -> Tensor {
        let h = x + selfAttention(norm1.fused(x), starts: starts, threads: threads)
        return h + feedForward(h)
    }

    /// `linear2(GELU(linear1(norm2(h))))` without a tape.
    func feedForward(_ h: Tensor) -> Tensor {
        var hidden = linear1(norm2.fused(h))
        hidden.apply(.geluErf)
        return linear2(hidden)
    }

    /// One recurrent step: `x [rows, d]` → `[rows, d]`. Writes this step's key and
    /// value into `slot` of the caches `keys`, `values` (`[rows, capacity, d]`), then
    /// attends over the first `length` slots (which must include `slot`); the attention is split
    /// over `threads` workers by rows.
    /// Cost: 8d² + 2·d·ff·2 flops per row plus 4·length·d for attention.
    public func step(_ x: Tensor, keys: inout Tensor, values: inout Tensor, slot: Int, length: Int, threads: Int = 1) -> Tensor {
        let d = modelSize
        precondition(x.rank == 2 && x.shape[1] == d, "TransformerEncoderLayer.step: input shape \(x.shape), expected [rows, \(d)]")
        let rows = x.shape[0], capacity = keys.shape[1]
        precondition(keys.shape == [rows, capacity, d] && values.shape == keys.shape && slot < capacity && length <= capacity && slot < length,
                     "TransformerEncoderLayer.step: cache \(keys.shape), slot \(slot), length \(length) for \(rows) rows of width \(d)")
        let qkv = selfAttention.projections(norm1.fused(x))
        var attended = Tensor(uninitializedShape: [rows, d])
        let workers = max(1, min(threads, rows))
        var scratch = [Float](repeating: 0, count: workers * length)
        qkv.withUnsafeBufferPointer { pq in
            keys.withUnsafeMutableBufferPointer { pk in
                values.withUnsafeMutableBufferPointer { pv in
                    for r in 0..<rows {
                        let dst = (r * capacity + slot) * d
                        (pk.baseAddress! + dst).update(from: pq.baseAddress! + r * 3 * d + d, count: d)
                        (pv.baseAddress! + dst).update(from: pq.baseAddress! + r * 3 * d + 2 * d, count: d)
                    }
                    attended.withUnsafeMutableBufferPointer { po in
                        scratch.withUnsafeMutableBufferPointer { ps in
                            let heads = selfAttention.headCount, dh = d / heads
                            let (q, k, v, o, sc) = (pq.baseAddress!, pk.baseAddress!, pv.baseAddress!, po.baseAddress!, ps.baseAddress!)
                            ParallelFor.chunks(count: rows, parts: workers) { w, r in
                                let first = r.lowerBound
                                mbrl_attention_decode(q + first * 3 * d, 3 * d, k + first * capacity * d, v + first * capacity * d,
                                                      o + first * d, r.count, heads, dh, capacity, length,
                                                      1 / Float(dh).squareRoot(), sc + w * length)
                            }
                        }
                    }
                }
            }
        }
        let h = x + selfAttention.outProjection(attended)
        return h + feedForward(h)
    }
}
