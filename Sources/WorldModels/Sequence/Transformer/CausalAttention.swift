import CBLAS
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
/// Implementation: per (batch, head) two `cblas_sgemm` calls forward (Q·Kᵀ
/// with the scale as alpha, P·V) reading the heads in place through leading
/// dimensions (no split, permute or copy) and the masked softmax kernel in
/// between; P is kept for the backward pass. Backward, with G = ∂L/∂out:
///
///     dP = G Vᵀ,  dV = Pᵀ G,  dS = P ⊙ (dP − rowsum(dP ⊙ P)) / √dₕ,  dQ = dS K,  dK = dSᵀ Q
///
/// (four GEMMs and one kernel per block), written straight into ∂qkv. Every GEMM
/// runs per block of ``causalBlock`` query rows (or key rows) and skips the
/// blocks above the diagonal, where P and dS are zero.
/// Batches are split over `threads` workers (each GEMM single-threaded).
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

    /// Rows per causal block: the GEMMs of rows [i0, i0 + causalBlock) stop at key i0 + causalBlock
    /// (forward and backward), skipping ~3/8 of the T² work at T = 64 for more, smaller calls.
    static let causalBlock = 16

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
        let (n, ld3, ld) = (Int32(t), Int32(3 * d), Int32(d))
        qkv.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                probs.withUnsafeMutableBufferPointer { pp in
                    let (x, o, p) = (px.baseAddress!, po.baseAddress!, pp.baseAddress!)
                    withOptionalPointer(starts) { startsPointer in
                    ParallelFor.chunks(count: b, parts: threads) { _, range in
                        for bi in range {
                            for h in 0..<heads {
                                let q = x + bi * t * 3 * d + h * dh, k = q + d, v = q + 2 * d
                                let s = p + (bi * heads + h) * t * t
                                // row block [i0, i1) sees keys 0 ..< i1 only (causal): S and P·V skip the rest
                                for i0 in stride(from: 0, to: t, by: causalBlock) {
                                    let i1 = min(i0 + causalBlock, t), m = Int32(i1 - i0)
                                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, Int32(i1), Int32(dh), scale,
                                                q + i0 * 3 * d, ld3, k, ld3, 0, s + i0 * t, n)
                                }
                                mbrl_attention_softmax(s, t, startsPointer.map { $0 + bi * t })
                                for i0 in stride(from: 0, to: t, by: causalBlock) {
                                    let i1 = min(i0 + causalBlock, t), m = Int32(i1 - i0)
                                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, Int32(dh), Int32(i1), 1, s + i0 * t, n,
                                                v, ld3, 0, o + (bi * t + i0) * d + h * dh, ld)
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
        let (n, ld3, ld, nh) = (Int32(t), Int32(3 * d), Int32(d), Int32(dh))
        let workers = max(1, min(threads, b))
        var scratch = [Float](repeating: 0, count: workers * t * t)
        qkv.withUnsafeBufferPointer { px in
            g.withUnsafeBufferPointer { pg in
                probs.withUnsafeBufferPointer { pp in
                    dqkv.withUnsafeMutableBufferPointer { pd in
                        scratch.withUnsafeMutableBufferPointer { ps in
                            let (x, gp, p, dx, sc) = (px.baseAddress!, pg.baseAddress!, pp.baseAddress!, pd.baseAddress!, ps.baseAddress!)
                            ParallelFor.chunks(count: b, parts: workers) { w, range in
                                let dp = sc + w * t * t
                                for bi in range {
                                    for h in 0..<heads {
                                        let q = x + bi * t * 3 * d + h * dh, k = q + d, v = q + 2 * d
                                        let dq = dx + bi * t * 3 * d + h * dh, dk = dq + d, dv = dq + 2 * d
                                        let go = gp + bi * t * d + h * dh
                                        let pr = p + (bi * heads + h) * t * t
                                        // causal blocks: rows [i0, i1) of dP, dS·K read columns < i1; rows ≥ j0 of
                                        // Pᵀ·G, dSᵀ·Q feed keys [j0, j1) (P and dS vanish above the diagonal)
                                        for i0 in stride(from: 0, to: t, by: causalBlock) {
                                            let i1 = min(i0 + causalBlock, t), m = Int32(i1 - i0)
                                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, Int32(i1), nh, 1, go + i0 * d, ld,
                                                        v, ld3, 0, dp + i0 * t, n)
                                            let kk = Int32(t - i0)
                                            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, nh, kk, 1, pr + i0 * t + i0, n,
                                                        go + i0 * d, ld, 0, dv + i0 * 3 * d, ld3)
                                        }
                                        mbrl_attention_softmax_backward(pr, dp, t, scale)
                                        for i0 in stride(from: 0, to: t, by: causalBlock) {
                                            let i1 = min(i0 + causalBlock, t), m = Int32(i1 - i0), kk = Int32(t - i0)
                                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, nh, Int32(i1), 1, dp + i0 * t, n,
                                                        k, ld3, 0, dq + i0 * 3 * d, ld3)
                                            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, nh, kk, 1, dp + i0 * t + i0, n,
                                                        q + i0 * 3 * d, ld3, 0, dk + i0 * 3 * d, ld3)
                                        }
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
