import NN
import TensorCore

/// Tape ops over the sequence kernels of `NN/SequenceKernels` shared by the
/// S4WM and Mamba backbones: each records one node whose forward runs the C
/// kernel on the inputs' contiguous storage and whose backward runs the
/// kernel's hand-written backward (no per-step tensors; the closures capture
/// Tensors only, never Variables). `reset` is a constant [batch, time] mask
/// (non-zero = an episode starts at t); nil means no boundaries.
enum SequenceKernelOps {
    /// Causal depthwise convolution (`CausalDepthwiseConv1D`):
    /// `x` [B, T, C], `weight` [C, 1, K] (PyTorch's Conv1d layout), `bias` [C] → [B, T, C].
    static func causalConv(_ x: Variable, weight: Variable, bias: Variable, reset: Tensor?) -> Variable {
        let (b, t, c) = (x.shape[0], x.shape[1], x.shape[2])
        let k = weight.value.count / c
        precondition(weight.value.count == c * k && bias.shape == [c],
                     "causalConv: weight \(weight.shape) / bias \(bias.shape) do not fit \(c) channels")
        let conv = CausalDepthwiseConv1D(batch: b, length: t, channels: c, kernelSize: k)
        let (xv, wv, bv) = (x.value, weight.value, bias.value)
        var y = Tensor(uninitializedShape: [b, t, c])
        withBuffers([xv, wv, bv]) { p in
            withOptionalBuffer(reset) { r in
                y.withUnsafeMutableBufferPointer { conv.forward(x: p[0], weight: p[1], bias: p[2], reset: r, y: $0) }
            }
        }
        let weightShape = weight.shape
        return x.tape.record(y, inputs: [x, weight, bias]) { g, _ in
            var dx = Tensor(uninitializedShape: [b, t, c]), dw = Tensor(uninitializedShape: weightShape)
            var db = Tensor(uninitializedShape: [c])
            withBuffers([xv, wv, g]) { p in
                withOptionalBuffer(reset) { r in
                    dx.withUnsafeMutableBufferPointer { pdx in
                        dw.withUnsafeMutableBufferPointer { pdw in
                            db.withUnsafeMutableBufferPointer { pdb in
                                conv.backward(x: p[0], weight: p[1], reset: r, dy: p[2], dx: pdx, dWeight: pdw, dBias: pdb)
                            }
                        }
                    }
                }
            }
            return [dx, dw, db]
        }
    }

    /// Selective scan (`SelectiveScan`) from a zero state: `u`, `delta` [B, T, C],
    /// `A` [C, N], `B`, `C` [B, T, N], `D` [C] → y [B, T, C].
    static func selectiveScan(u: Variable, delta: Variable, A: Variable, B: Variable, C: Variable, D: Variable,
                              reset: Tensor?) -> Variable {
        let (b, t, c, n) = (u.shape[0], u.shape[1], u.shape[2], A.shape[1])
        precondition(delta.shape == u.shape && A.shape == [c, n] && B.shape == [b, t, n] && C.shape == [b, t, n] && D.shape == [c],
                     "selectiveScan: shapes u \(u.shape), delta \(delta.shape), A \(A.shape), B \(B.shape), C \(C.shape), D \(D.shape)")
        let scan = SelectiveScan(batch: b, length: t, channels: c, stateSize: n)
        let values = [u.value, delta.value, A.value, B.value, C.value, D.value]
        var y = Tensor(uninitializedShape: [b, t, c])
        withBuffers(values) { p in
            withOptionalBuffer(reset) { r in
                y.withUnsafeMutableBufferPointer { scan.forward(u: p[0], delta: p[1], A: p[2], B: p[3], C: p[4], D: p[5], reset: r, y: $0) }
            }
        }
        return u.tape.record(y, inputs: [u, delta, A, B, C, D]) { g, _ in
            var du = Tensor(uninitializedShape: [b, t, c]), dDelta = Tensor(uninitializedShape: [b, t, c])
            var dA = Tensor(uninitializedShape: [c, n]), dB = Tensor(uninitializedShape: [b, t, n])
            var dC = Tensor(uninitializedShape: [b, t, n]), dD = Tensor(uninitializedShape: [c])
            withBuffers(values + [g]) { p in
                withOptionalBuffer(reset) { r in
                    du.withUnsafeMutableBufferPointer { pdu in
                        dDelta.withUnsafeMutableBufferPointer { pdd in
                            dA.withUnsafeMutableBufferPointer { pda in
                                dB.withUnsafeMutableBufferPointer { pdb in
                                    dC.withUnsafeMutableBufferPointer { pdc in
                                        dD.withUnsafeMutableBufferPointer { pdD in
                                            scan.backward(u: p[0], delta: p[1], A: p[2], B: p[3], C: p[4], D: p[5], reset: r, dy: p[6],
                                                          du: pdu, dDelta: pdd, dA: pda, dB: pdb, dC: pdc, dD: pdD)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return [du, dDelta, dA, dB, dC, dD]
        }
    }
}

/// Calls `body` with the storage of every tensor (valid only inside `body`).
func withBuffers<R>(_ tensors: [Tensor], _ body: ([UnsafeBufferPointer<Float>]) -> R) -> R {
    func go(_ k: Int, _ acc: [UnsafeBufferPointer<Float>]) -> R {
        if k == tensors.count { return body(acc) }
        return tensors[k].withUnsafeBufferPointer { go(k + 1, acc + [$0]) }
    }
    return go(0, [])
}

/// Calls `body` with the storage of `tensor`, or nil when there is none.
func withOptionalBuffer<R>(_ tensor: Tensor?, _ body: (UnsafeBufferPointer<Float>?) -> R) -> R {
    guard let tensor else { return body(nil) }
    return tensor.withUnsafeBufferPointer { body($0) }
}
