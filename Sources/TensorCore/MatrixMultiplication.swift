import CBLAS

// Matrix products through `cblas_sgemm` (row-major). Transposes are BLAS
// flags, never copies. Shapes (tA / tB = transposeA / transposeB):
//
//   a [M, K] (or [K, M] with tA)  ·  b [K, N] (or [N, K] with tB)  → [M, N]
//   a [..., M, K]  ·  b [K, N]   → [..., M, N]   leading axes folded into M (one GEMM; tA must be false)
//   a [E, M, K]    ·  b [E, K, N] → [E, M, N]    batched (e.g. ensemble members), one GEMM per batch
//
// Cost: 2·E·M·N·K flops; the backward pass costs two more products of the same size.

extension Tensor {
    /// Matrix product, see the shape table above. Allocates the result.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        var out = Tensor(zeros: [0])
        matmul(a, b, transposeA: transposeA, transposeB: transposeB, into: &out)
        return out
    }

    /// Matrix product into a reused buffer (`out` is reshaped; no allocation when its count already matches).
    /// With `accumulate`, adds the product to `out`'s current values (BLAS beta = 1; `out` must already have the result shape).
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false,
                              accumulate: Bool = false, into out: inout Tensor) {
        let plan = MatmulPlan(a.shape, b.shape, transposeA: transposeA, transposeB: transposeB)
        if accumulate {
            precondition(out.shape == plan.outShape, "matmul(accumulate:): out shape \(out.shape) != result shape \(plan.outShape)")
        } else {
            out.prepare(shape: plan.outShape)
        }
        let beta: Float = accumulate ? 1 : 0
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { pc in
                    for e in 0..<plan.batch {
                        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                                    Int32(plan.m), Int32(plan.n), Int32(plan.k), 1,
                                    pa.baseAddress! + e * plan.aBatchStride, Int32(transposeA ? plan.m : plan.k),
                                    pb.baseAddress! + e * plan.bBatchStride, Int32(transposeB ? plan.k : plan.n),
                                    beta, pc.baseAddress! + e * plan.m * plan.n, Int32(plan.n))
                    }
                }
            }
        }
    }
}

/// Resolved GEMM sizes for one `matmul` call.
struct MatmulPlan {
    var m = 0, n = 0, k = 0, batch = 1
    var aBatchStride = 0, bBatchStride = 0
    var outShape: [Int] = []

    init(_ sa: [Int], _ sb: [Int], transposeA: Bool, transposeB: Bool) {
        let desc = "matmul: shapes \(sa)\(transposeA ? "ᵀ" : "") and \(sb)\(transposeB ? "ᵀ" : "")"
        precondition(sa.count >= 2 && sb.count >= 2, "\(desc): both operands need rank >= 2")
        let (bk, bn) = transposeB ? (sb[sb.count - 1], sb[sb.count - 2]) : (sb[sb.count - 2], sb[sb.count - 1])
        if sb.count == 2 {
            precondition(!transposeA || sa.count == 2, "\(desc): transposeA needs a rank-2 `a` when `b` is rank 2")
            let (am, ak) = transposeA ? (sa[1], sa[0]) : (sa.dropLast().reduce(1, *), sa[sa.count - 1])
            precondition(ak == bk, "\(desc): inner dimensions \(ak) and \(bk) differ")
            (m, n, k) = (am, bn, ak)
            outShape = transposeA ? [sa[1], bn] : Array(sa.dropLast()) + [bn]
        } else {
            precondition(sa.count == 3 && sb.count == 3 && sa[0] == sb[0], "\(desc): batched matmul needs [E, M, K] · [E, K, N] with equal E")
            let (am, ak) = transposeA ? (sa[2], sa[1]) : (sa[1], sa[2])
            precondition(ak == bk, "\(desc): inner dimensions \(ak) and \(bk) differ")
            (m, n, k, batch) = (am, bn, ak, sa[0])
            aBatchStride = sa[1] * sa[2]
            bBatchStride = sb[1] * sb[2]
            outShape = [sa[0], am, bn]
        }
    }
}

extension Variable {
    /// Differentiable matrix product (see the shape table in MatrixMultiplication.swift).
    ///
    /// Backward (C = op(A)·op(B), G = ∂L/∂C), all as GEMMs with flags:
    /// ∂A = tA ? op(B)·Gᵀ : G·op(B)ᵀ;  ∂B = tB ? Gᵀ·op(A) : op(A)ᵀ·G.
    public static func matmul(_ a: Variable, _ b: Variable, transposeA: Bool = false, transposeB: Bool = false) -> Variable {
        // fold leading axes of `a` into M so the backward stays one GEMM per operand
        if b.rank == 2 && a.rank > 2 {
            let folded = a.reshaped([-1, a.shape[a.rank - 1]])
            let out = matmul(folded, b, transposeA: false, transposeB: transposeB)
            return out.reshaped(Array(a.shape.dropLast()) + [out.shape[1]])
        }
        let (va, vb) = (a.value, b.value)
        let out = Tensor.matmul(va, vb, transposeA: transposeA, transposeB: transposeB)
        return a.tape.record(out, inputs: [a, b]) { g, need in
            var ga: Tensor? = nil, gb: Tensor? = nil
            if need[0] {
                ga = transposeA ? Tensor.matmul(vb, g, transposeA: transposeB, transposeB: true)
                                : Tensor.matmul(g, vb, transposeA: false, transposeB: !transposeB)
            }
            if need[1] {
                gb = transposeB ? Tensor.matmul(g, va, transposeA: true, transposeB: transposeA)
                                : Tensor.matmul(va, g, transposeA: !transposeA, transposeB: false)
            }
            return [ga, gb]
        }
    }
}
