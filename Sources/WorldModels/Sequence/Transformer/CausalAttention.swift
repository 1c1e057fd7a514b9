import CKernels
import NN
import TensorCore

/// Fused multi-head causal self-attention (Vaswani et al. 2017) over packed
/// projections, as one op on the ``Tape``:
///
///     qkv [B, T, 3d] = [Q | K | V],  head h uses columns h·dₕ ..< (h+1)·dₕ of each (dₕ = d / H)
///     S = Q_h K_hᵀ / √dₕ,  S_ij = −∞ unless start_i ≤ j ≤ i
///     P = softmax_rows(S),  out[:, :, h·dₕ ..] = P V_h          → out [B, T, d]
///
/// `start_i` is the latest episode start at or before step i of the window
/// (from `resetMask`; 0 without resets), so a query never attends across an
/// episode boundary. The layout is PyTorch's `nn.MultiheadAttention` with
/// `in_proj_weight` stacking q, k, v.
///
/// Implementation: per (batch, head) one C kernel (`mbrl_attention_head_forward`)
/// reads the heads in place through leading dimensions (no split, permute or
/// copy of the activations), computes S for the causal tiles only, the masked
/// softmax and P·V; P is kept for the backward pass. Backward, with G = ∂L/∂out:
///
///     dP = G Vᵀ,  dV = Pᵀ G,  dS = P ⊙ (dP − rowsum(dP ⊙ P)) / √dₕ,  dQ = dS K,  dK = dSᵀ Q
///
/// in one kernel per block (`mbrl_attention_head_backward`), written straight
/// into ∂qkv. The kernels' register-tiled products replace the ~24 small
/// `cblas_sgemm` calls per block, which at T = 64, dₕ = 32 cost more than their flops.
/// Batches are split over `threads` workers.
/// Cost: 4·B·H·T²·dₕ flops forward, twice that backward; memory B·H·T² floats for P.
public enum CausalAttention {
    /// Per-step segment starts `[B·T]` from a reset mask `[B, T]` (1 = an episode starts here):
    /// `start[b, t]` = the largest t' ≤ t with `resetMask[b, t'] = 1`, else 0. Nil for a nil mask.
    public static func segmentStarts(resetMask: Tensor?, batch: Int, time: Int) -> [Int32]? {
        guard let mask = resetMask else { return nil }
        precondition(mask.count == batch * time, "CausalAttention: resetMask shape \(mask.shape), expected [\(batch), \(time)]")
        var starts = [Int32](repeating: 0, count: batch * time)
        for b in 0..<batch {
            var s: Int32 = 0
            for t in 0..<time {
                if mask.scalars[b * time + t] != 0 { s = Int32(t) }
                starts[b * time + t] = s
            }
        }
        return starts
    }

    /// Inference forward (no tape): `qkv [B, T, 3d]` → `[B, T, d]`.
    public static func forward(_ qkv: Tensor, heads: Int, starts: [Int32]?, threads: Int = 1) -> Tensor {
        forwardKeepingProbabilities(qkv, heads: heads, starts: starts, threads: threads).out
    }

    /// Differentiable forward: `qkv [B, T, 3d]` → `[B, T, d]`, one node on the tape.
    public static func apply(_ qkv: Variable, heads: Int, starts: [Int32]?, threads: Int = 1) -> Variable {
        let x = qkv.value
        let (out, probs) = forwardKeepingProbabilities(x, heads: heads, starts: starts, threads: threads)
        return qkv.tape.record(out, inputs: [qkv]) { g, _ in
            [backward(g, qkv: x, probs: probs, heads: heads, threads: threads)]
        }
    }

    static func dimensions(_ shape: [Int], heads: Int) -> (b: Int, t: Int, d: Int, dh: Int) {
        precondition(shape.count == 3 && shape[2] % 3 == 0 && heads > 0 && (shape[2] / 3) % heads == 0,
                     "CausalAttention: qkv shape \(shape), expected [batch, time, 3·d] with d divisible by \(heads) heads")
        let d = shape[2] / 3
        return (shape[0], shape[1], d, d / heads)
    }

    static func withOptionalPointer<R>(_ a: [Int32]?, _ body: (UnsafePointer<Int32>?) -> R) -> R {
        guard let a = a else { return body(nil) }
        return a.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    static func forwardKeepingProbabilities(_ qkv: Tensor, heads: Int, starts: [Int32]?, threads: Int) -> (out: Tensor, probs: Tensor) {
        let (b, t, d, dh) = dimensions(qkv.shape, heads: heads)
        if let s = starts { precondition(s.count == b * t, "CausalAttention: \(s.count) starts for \(b)×\(t) steps") }
        var out = Tensor(uninitializedShape: [b, t, d])
        var probs = Tensor(uninitializedShape: [b, heads, t, t])
        let scale = 1 / Float(dh).squareRoot()
        let workers = max(1, min(threads, b)), scratchSize = mbrl_attention_head_scratch(t, dh)
        var scratch = [Float](repeating: 0, count: workers * scratchSize)
        qkv.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                probs.withUnsafeMutableBufferPointer { pp in
                    scratch.withUnsafeMutableBufferPointer { ps in
                        let (x, o, p, sc) = (px.baseAddress!, po.baseAddress!, pp.baseAddress!, ps.baseAddress!)
                        withOptionalPointer(starts) { startsPointer in
                            ParallelFor.chunks(count: b, parts: workers) { w, range in
                                for bi in range {
                                    for h in 0..<heads {
                                        let q = x + bi * t * 3 * d + h * dh
                                        mbrl_attention_head_forward(q, q + d, q + 2 * d, 3 * d, t, dh, scale, startsPointer.map { $0 + bi * t },
                                                                    p + (bi * heads + h) * t * t, o + bi * t * d + h * dh, d, sc + w * scratchSize)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (out, probs)
    }

    static func backward(_ g: Tensor, qkv: Tensor, probs: Tensor, heads: Int, threads: Int) -> Tensor {
        let (b, t, d, dh) = dimensions(qkv.shape, heads: heads)
        var dqkv = Tensor(uninitializedShape: qkv.shape)
        let scale = 1 / Float(dh).squareRoot()
        let workers = max(1, min(threads, b)), scratchSize = mbrl_attention_head_scratch(t, dh)
        var scratch = [Float](repeating: 0, count: workers * scratchSize)
        qkv.withUnsafeBufferPointer { px in
            g.withUnsafeBufferPointer { pg in
                probs.withUnsafeBufferPointer { pp in
                    dqkv.withUnsafeMutableBufferPointer { pd in
                        scratch.withUnsafeMutableBufferPointer { ps in
                            let (x, gp, p, dx, sc) = (px.baseAddress!, pg.baseAddress!, pp.baseAddress!, pd.baseAddress!, ps.baseAddress!)
                            ParallelFor.chunks(count: b, parts: workers) { w, range in
                                for bi in range {
                                    for h in 0..<heads {
                                        let q = x + bi * t * 3 * d + h * dh, dq = dx + bi * t * 3 * d + h * dh
                                        mbrl_attention_head_backward(q, q + d, q + 2 * d, 3 * d, gp + bi * t * d + h * dh, d,
                                                                     p + (bi * heads + h) * t * t, t, dh, scale, dq, dq + d, dq + 2 * d,
                                                                     sc + w * scratchSize)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return dqkv
    }
}
