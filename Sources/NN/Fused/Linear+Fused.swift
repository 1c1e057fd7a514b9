import CBLAS
import TensorCore

/// A fused form of ``Linear`` for the backbones' hot paths: y = x·Wᵀ + b
/// as one tape node over (x, weight, bias) with the bias folded into the GEMM
/// (C prefilled with b, then `cblas_sgemm` with β = 1) instead of a GEMM node
/// plus a broadcasting add node. Backward, G = ∂L/∂y over rows R:
///
///     ∂x = G·W (GEMM),  ∂W = Gᵀ·x (GEMM),  ∂b = Gᵀ·1 (GEMV)
///
/// With `threads` > 1 each GEMM is split over Swift workers (the forward and
/// ∂x by rows of x, ∂W and ∂b by output features), each calling `cblas_sgemm`
/// on its block — the PERF-NOTES scheme for running OpenBLAS single-threaded.
/// The same function and gradients as `Linear.callAsFunction(_: Variable)`.
extension Linear {
    /// Differentiable fused forward: `[..., inputSize]` → `[..., outputSize]`.
    public func fused(_ x: Variable, threads: Int = 1) -> Variable {
        fusedAffine(x, weight: weight, bias: bias, threads: threads)
    }
}

/// y = x·Wᵀ + b for `weight [n, k]`, `bias [n]` parameters, as one tape node (see `Linear.fused`).
public func fusedAffine(_ x: Variable, weight: Parameter, bias: Parameter?, threads: Int = 1) -> Variable {
    let tape = x.tape
    return fusedAffine(x, weight: tape.variable(weight), bias: bias.map { tape.variable($0) }, threads: threads)
}

/// y = x·Wᵀ + b for a weight `[n, k]` and bias `[n]` given as Variables, e.g. a row
/// block of a wider projection's weight (so a split output needs no activation copy).
/// Without a bias the GEMM writes y directly (β = 0).
public func fusedAffine(_ x: Variable, weight w: Variable, bias b: Variable?, threads: Int = 1) -> Variable {
    let (n, k) = (w.shape[0], w.shape[1])
    precondition(w.rank == 2 && x.shape.last == k && b.map { $0.shape == [n] } ?? true,
                 "fusedAffine: input shape \(x.shape), weight \(w.shape), bias \(b?.shape ?? [])")
    let tape = x.tape
    let xv = x.value, wv = w.value
    let rows = xv.count / k
    let outShape = Array(xv.shape.dropLast()) + [n]
    var y = Tensor(uninitializedShape: outShape)
    let bv = b?.value ?? Tensor(zeros: [0])
    let beta: Float = b == nil ? 0 : 1
    xv.withUnsafeBufferPointer { px in
        wv.withUnsafeBufferPointer { pw in
            bv.withUnsafeBufferPointer { pb in
                y.withUnsafeMutableBufferPointer { py in
                    let (xs, ws, bs, ys) = (px.baseAddress!, pw.baseAddress!, pb.baseAddress, py.baseAddress!)
                    ParallelFor.chunks(count: rows, parts: threads) { _, r in
                        if let bs, beta != 0 { for row in r { (ys + row * n).update(from: bs, count: n) } }
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(r.count), Int32(n), Int32(k), 1,
                                    xs + r.lowerBound * k, Int32(k), ws, Int32(k), beta, ys + r.lowerBound * n, Int32(n))
                    }
                }
            }
        }
    }
    let inputs = b.map { [x, w, $0] } ?? [x, w]
    let inputCount = inputs.count  // the closure must not capture the Variables (they hold the tape: a cycle)
    return tape.record(y, inputs: inputs) { g, need in
        var grads: [Tensor?] = Array(repeating: nil, count: inputCount)
        var dx = Tensor(zeros: [0]), dw = Tensor(zeros: [0]), db = Tensor(zeros: [0])
        if need[0] { dx = Tensor(uninitializedShape: xv.shape) }
        if need[1] { dw = Tensor(uninitializedShape: [n, k]) }
        let needBias = inputCount == 3 && need[2]
        if needBias { db = Tensor(uninitializedShape: [n]) }
        let ones = needBias ? [Float](repeating: 1, count: rows) : []
        g.withUnsafeBufferPointer { pg in
            xv.withUnsafeBufferPointer { px in
                wv.withUnsafeBufferPointer { pw in
                    dx.withUnsafeMutableBufferPointer { pdx in
                        dw.withUnsafeMutableBufferPointer { pdw in
                            db.withUnsafeMutableBufferPointer { pdb in
                                ones.withUnsafeBufferPointer { po in
                                    let (gs, xs, ws) = (pg.baseAddress!, px.baseAddress!, pw.baseAddress!)
                                    if need[0] {
                                        let dxs = pdx.baseAddress!
                                        ParallelFor.chunks(count: rows, parts: threads) { _, r in
                                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(r.count), Int32(k), Int32(n), 1,
                                                        gs + r.lowerBound * n, Int32(n), ws, Int32(k), 0, dxs + r.lowerBound * k, Int32(k))
                                        }
                                    }
                                    if need[1] || needBias {
                                        // empty buffers may still have a base address: test the flags, not the pointers
                                        let items = AffineWeightGradient(gradient: gs, input: xs, outputs: n, inputs: k,
                                                                         weight: need[1] ? pdw.baseAddress : nil,
                                                                         bias: needBias ? pdb.baseAddress : nil).split(parts: threads)
                                        let os = po.baseAddress
                                        ParallelFor.chunks(count: items.count, parts: threads) { _, range in
                                            for i in range { items[i].compute(rows: rows, ones: os) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if need[0] { grads[0] = dx }
        if need[1] { grads[1] = dw }
        if needBias { grads[2] = db }
        return grads
    }
}
