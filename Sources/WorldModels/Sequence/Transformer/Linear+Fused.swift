import CBLAS
import NN

/// A fused form of ``NN/Linear`` for the transformer's hot path: y = x·Wᵀ + b
/// as one tape node over (x, weight, bias) with the bias folded into the GEMM
/// (C prefilled with b, then `cblas_sgemm` with β = 1) instead of a GEMM node
/// plus a broadcasting add node. Backward, G = ∂L/∂y over rows R:
///
///     ∂x = G·W (GEMM),  ∂W = Gᵀ·x (GEMM),  ∂b = Gᵀ·1 (GEMV)
///
/// The same function and gradients as `Linear.callAsFunction(_: Variable)`.
extension Linear {
    /// Differentiable fused forward: `[..., inputSize]` → `[..., outputSize]`.
    public func fused(_ x: Variable) -> Variable { fusedAffine(x, weight: weight, bias: bias) }
}

/// y = x·Wᵀ + b for `weight [n, k]`, `bias [n]`, as one tape node (see `Linear.fused`).
func fusedAffine(_ x: Variable, weight: Parameter, bias: Parameter?) -> Variable {
    let (n, k) = (weight.shape[0], weight.shape[1])
    precondition(x.shape.last == k && bias.map { $0.shape == [n] } ?? true,
                 "fusedAffine: input shape \(x.shape), weight \(weight.shape), bias \(bias?.shape ?? [])")
    let tape = x.tape
    let w = tape.variable(weight)
    let b = bias.map { tape.variable($0) }
    let xv = x.value, wv = w.value
    let rows = xv.count / k
    let outShape = Array(xv.shape.dropLast()) + [n]
    var y = Tensor(uninitializedShape: outShape)
    xv.withUnsafeBufferPointer { px in
        wv.withUnsafeBufferPointer { pw in
            y.withUnsafeMutableBufferPointer { py in
                var beta: Float = 0
                if let bv = b?.value {
                    bv.withUnsafeBufferPointer { pb in
                        for r in 0..<rows { (py.baseAddress! + r * n).update(from: pb.baseAddress!, count: n) }
                    }
                    beta = 1
                }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(n), Int32(k), 1,
                            px.baseAddress, Int32(k), pw.baseAddress, Int32(k), beta, py.baseAddress, Int32(n))
            }
        }
    }
    let inputs = b.map { [x, w, $0] } ?? [x, w]
    let inputCount = inputs.count  // the closure must not capture the Variables (they hold the tape: a cycle)
    return tape.record(y, inputs: inputs) { g, need in
        var grads: [Tensor?] = Array(repeating: nil, count: inputCount)
        g.withUnsafeBufferPointer { pg in
            if need[0] {
                var dx = Tensor(uninitializedShape: xv.shape)
                wv.withUnsafeBufferPointer { pw in
                    dx.withUnsafeMutableBufferPointer { pdx in
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(k), Int32(n), 1,
                                    pg.baseAddress, Int32(n), pw.baseAddress, Int32(k), 0, pdx.baseAddress, Int32(k))
                    }
                }
                grads[0] = dx
            }
            if need[1] {
                var dw = Tensor(uninitializedShape: [n, k])
                xv.withUnsafeBufferPointer { px in
                    dw.withUnsafeMutableBufferPointer { pdw in
                        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(n), Int32(k), Int32(rows), 1,
                                    pg.baseAddress, Int32(n), px.baseAddress, Int32(k), 0, pdw.baseAddress, Int32(k))
                    }
                }
                grads[1] = dw
            }
            if inputCount == 3 && need[2] {
                var db = Tensor(zeros: [n])
                let ones = [Float](repeating: 1, count: rows)
                db.withUnsafeMutableBufferPointer { pdb in
                    cblas_sgemv(CblasRowMajor, CblasTrans, Int32(rows), Int32(n), 1, pg.baseAddress, Int32(n),
                                ones, 1, 0, pdb.baseAddress, 1)
                }
                grads[2] = db
            }
        }
        return grads
    }
}
