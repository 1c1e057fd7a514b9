import CBLAS
import CKernels
import NN
import TensorCore

/// The transformer MLP `y = GELU(u·W₁ᵀ + b₁)·W₂ᵀ + b₂` (exact GELU) as one tape node over
/// (u, W₁, b₁, W₂, b₂) — the same function and gradients as `linear2(GELU(linear1(u)))` built
/// from `Linear.fused` and ``ParallelGELU``, with less memory traffic and fewer fork-joins:
///
/// - forward, per block of ``rowBlock`` rows on each worker: `u·W₁ᵀ` (β = 0), then one pass adds
///   b₁, applies GELU in place and keeps its derivative D = Φ(v) + v·φ(v) (no bias prefill, no
///   second GELU pass), then the block's `·W₂ᵀ + b₂`, while the block is still in cache;
/// - backward, G = ∂L/∂y: per row block ∂a = G·W₂, ∂v = ∂a ⊙ D (no erf or exp), ∂u = ∂v·W₁;
///   then ∂W₂ = Gᵀ·a, ∂b₂ = Gᵀ·1, ∂W₁ = ∂vᵀ·u, ∂b₁ = ∂vᵀ·1 as work items over the workers
///   in one fork-join (at two workers: one whole weight gradient each, equal flops).
///
/// Memory kept for backward: the activations a and D, `[rows, ff]` each.
enum FusedFeedForward {
    /// Rows per forward/backward block: the block's `[rowBlock, ff]` hidden activations
    /// (512 KB at ff = 512) stay in L2 between the GEMM and the element-wise pass.
    static let rowBlock = 256

    /// `u [..., d]` → `[..., d]` through `linear1` (d → ff) and `linear2` (ff → d).
    static func apply(_ u: Variable, _ linear1: Linear, _ linear2: Linear, threads: Int) -> Variable {
        let (d, ff) = (linear1.inputSize, linear1.outputSize)
        precondition(u.shape.last == d && linear2.inputSize == ff && linear2.outputSize == d,
                     "FusedFeedForward: input shape \(u.shape), layers \(d) → \(ff) → \(linear2.inputSize) → \(linear2.outputSize)")
        let tape = u.tape
        let uv = u.value, w1 = linear1.weight.value, w2 = linear2.weight.value
        let b1 = linear1.bias?.value, b2 = linear2.bias?.value
        let rows = uv.count / d
        var y = Tensor(uninitializedShape: uv.shape)
        var activation = Tensor(uninitializedShape: [rows, ff])
        var derivative = Tensor(uninitializedShape: [rows, ff])
        uv.withUnsafeBufferPointer { pu in
            w1.withUnsafeBufferPointer { pw1 in
                w2.withUnsafeBufferPointer { pw2 in
                    withOptionalPointer(b1) { pb1 in
                        withOptionalPointer(b2) { pb2 in
                            y.withUnsafeMutableBufferPointer { py in
                                activation.withUnsafeMutableBufferPointer { pa in
                                    derivative.withUnsafeMutableBufferPointer { pd in
                                        let (us, w1s, w2s) = (pu.baseAddress!, pw1.baseAddress!, pw2.baseAddress!)
                                        let (ys, acts, ds) = (py.baseAddress!, pa.baseAddress!, pd.baseAddress!)
                                        ParallelFor.chunks(count: rows, parts: threads) { _, range in
                                            for r0 in stride(from: range.lowerBound, to: range.upperBound, by: rowBlock) {
                                                let m = min(rowBlock, range.upperBound - r0)
                                                let a = acts + r0 * ff
                                                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(ff), Int32(d), 1,
                                                            us + r0 * d, Int32(d), w1s, Int32(d), 0, a, Int32(ff))
                                                mbrl_gelu_erf_bias_forward(a, pb1, m, ff, ds + r0 * ff)
                                                let out = ys + r0 * d
                                                if let pb2 { for row in 0..<m { (out + row * d).update(from: pb2, count: d) } }
                                                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(d), Int32(ff), 1,
                                                            a, Int32(ff), w2s, Int32(ff), pb2 == nil ? 0 : 1, out, Int32(d))
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var inputs = [u, tape.variable(linear1.weight)]
        let bias1Index = linear1.bias.map { inputs.append(tape.variable($0)); return inputs.count - 1 }
        inputs.append(tape.variable(linear2.weight))
        let weight2Index = inputs.count - 1
        let bias2Index = linear2.bias.map { inputs.append(tape.variable($0)); return inputs.count - 1 }
        let inputCount = inputs.count  // the closure must not capture the Variables (they hold the tape: a cycle)
        let (act, deriv) = (activation, derivative)
        return tape.record(y, inputs: inputs) { g, need in
            let needBias1 = bias1Index.map { need[$0] } ?? false, needBias2 = bias2Index.map { need[$0] } ?? false
            let needHidden = need[0] || need[1] || needBias1
            var dv = needHidden ? Tensor(uninitializedShape: [rows, ff]) : Tensor(zeros: [0])
            var du = need[0] ? Tensor(uninitializedShape: uv.shape) : Tensor(zeros: [0])
            var dw1 = need[1] ? Tensor(uninitializedShape: [ff, d]) : Tensor(zeros: [0])
            var dw2 = need[weight2Index] ? Tensor(uninitializedShape: [d, ff]) : Tensor(zeros: [0])
            var db1 = needBias1 ? Tensor(uninitializedShape: [ff]) : Tensor(zeros: [0])
            var db2 = needBias2 ? Tensor(uninitializedShape: [d]) : Tensor(zeros: [0])
            let ones = (needBias1 || needBias2) ? [Float](repeating: 1, count: rows) : []
            g.withUnsafeBufferPointer { pg in
                uv.withUnsafeBufferPointer { pu in
                    w1.withUnsafeBufferPointer { pw1 in
                        w2.withUnsafeBufferPointer { pw2 in
                            act.withUnsafeBufferPointer { pa in
                                deriv.withUnsafeBufferPointer { pd in
                                    dv.withUnsafeMutableBufferPointer { pdv in
                                        du.withUnsafeMutableBufferPointer { pdu in
                                            let (gs, us, w1s, w2s) = (pg.baseAddress!, pu.baseAddress!, pw1.baseAddress!, pw2.baseAddress!)
                                            let (acts, ds) = (pa.baseAddress!, pd.baseAddress!)
                                            // empty buffers may still have a base address: test the flags, not the pointers
                                            let dvs = pdv.baseAddress, dus = pdu.baseAddress, needInput = need[0]
                                            if needHidden, let dvs {
                                                ParallelFor.chunks(count: rows, parts: threads) { _, range in
                                                    for r0 in stride(from: range.lowerBound, to: range.upperBound, by: rowBlock) {
                                                        let m = min(rowBlock, range.upperBound - r0)
                                                        let dvBlock = dvs + r0 * ff
                                                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(ff), Int32(d), 1,
                                                                    gs + r0 * d, Int32(d), w2s, Int32(ff), 0, dvBlock, Int32(ff))
                                                        mbrl_binary(Int32(MBRL_MUL), dvBlock, 1, ds + r0 * ff, 1, dvBlock, m * ff)
                                                        if needInput, let dus {
                                                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(d), Int32(ff), 1,
                                                                        dvBlock, Int32(ff), w1s, Int32(d), 0, dus + r0 * d, Int32(d))
                                                        }
                                                    }
                                                }
                                            }
                                            var items: [AffineWeightGradient] = []
                                            let parts = max(1, (threads + 1) / 2)
                                            dw2.withUnsafeMutableBufferPointer { pdw2 in
                                                db2.withUnsafeMutableBufferPointer { pdb2 in
                                                    dw1.withUnsafeMutableBufferPointer { pdw1 in
                                                        db1.withUnsafeMutableBufferPointer { pdb1 in
                                                            ones.withUnsafeBufferPointer { po in
                                                                if need[weight2Index] || needBias2 {
                                                                    let target = AffineWeightGradient(gradient: gs, input: acts, outputs: d, inputs: ff,
                                                                                                      weight: need[weight2Index] ? pdw2.baseAddress : nil,
                                                                                                      bias: needBias2 ? pdb2.baseAddress : nil)
                                                                    items += target.split(parts: parts)
                                                                }
                                                                if (need[1] || needBias1), let dvs {
                                                                    let target = AffineWeightGradient(gradient: dvs, input: us, outputs: ff, inputs: d,
                                                                                                      weight: need[1] ? pdw1.baseAddress : nil,
                                                                                                      bias: needBias1 ? pdb1.baseAddress : nil)
                                                                    items += target.split(parts: parts)
                                                                }
                                                                let (os, work) = (po.baseAddress, items)
                                                                ParallelFor.chunks(count: work.count, parts: threads) { _, range in
                                                                    for i in range { work[i].compute(rows: rows, ones: os) }
                                                                }
                                                            }
                                                        }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            var grads: [Tensor?] = Array(repeating: nil, count: inputCount)
            if need[0] { grads[0] = du }
            if need[1] { grads[1] = dw1 }
            if let i = bias1Index, need[i] { grads[i] = db1 }
            if need[weight2Index] { grads[weight2Index] = dw2 }
            if let i = bias2Index, need[i] { grads[i] = db2 }
            return grads
        }
    }

    static func withOptionalPointer<R>(_ t: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let t else { return body(nil) }
        return t.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
