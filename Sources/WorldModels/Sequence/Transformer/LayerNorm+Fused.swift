import CKernels
import NN

/// A fused form of ``NN/LayerNorm`` for the transformer's hot path: the same
/// function (PyTorch `nn.LayerNorm`, biased variance, ε from the layer) as one
/// tape node over (x, weight, bias) instead of the eight generic ops of
/// `LayerNorm.callAsFunction(_: Variable)`, computed by
/// `mbrl_layernorm_forward` / `mbrl_layernorm_backward`:
///
///     x̂ = (x − μ)·r,  r = 1/√(σ² + ε),  y = x̂·w + b
///     dx = r·(g − mean(g) − x̂·mean(g·x̂)),  g = dy·w;  dw = Σ dy·x̂;  db = Σ dy
///
/// Saves μ and r per row (2 floats per row) for the backward pass.
/// Cost: ~3 passes over x forward, ~3 backward; no temporaries besides the outputs.
extension LayerNorm {
    /// Differentiable fused forward over the last axis.
    public func fused(_ x: Variable) -> Variable {
        precondition(x.shape.last == size, "LayerNorm.fused: input shape \(x.shape), expected [..., \(size)]")
        let tape = x.tape
        let w = tape.variable(weight), b = tape.variable(bias)
        let xv = x.value, wv = w.value
        let rows = xv.count / size, n = size
        var y = Tensor(uninitializedShape: xv.shape)
        var mean = [Float](repeating: 0, count: rows), rstd = mean
        xv.withUnsafeBufferPointer { px in
            wv.withUnsafeBufferPointer { pw in
                b.value.withUnsafeBufferPointer { pb in
                    y.withUnsafeMutableBufferPointer { py in
                        mbrl_layernorm_forward(px.baseAddress, pw.baseAddress, pb.baseAddress, py.baseAddress,
                                               &mean, &rstd, rows, n, epsilon)
                    }
                }
            }
        }
        return tape.record(y, inputs: [x, w, b]) { g, need in
            var dx = Tensor(uninitializedShape: xv.shape)
            var dw = Tensor(zeros: [n]), db = Tensor(zeros: [n])
            g.withUnsafeBufferPointer { pg in
                xv.withUnsafeBufferPointer { px in
                    wv.withUnsafeBufferPointer { pw in
                        dx.withUnsafeMutableBufferPointer { pdx in
                            dw.withUnsafeMutableBufferPointer { pdw in
                                db.withUnsafeMutableBufferPointer { pdb in
                                    mbrl_layernorm_backward(pg.baseAddress, px.baseAddress, pw.baseAddress, mean, rstd,
                                                            pdx.baseAddress, pdw.baseAddress, pdb.baseAddress, rows, n)
                                }
                            }
                        }
                    }
                }
            }
            return [need[0] ? dx : nil, need[1] ? dw : nil, need[2] ? db : nil]
        }
    }

    /// Inference fused forward (no tape).
    public func fused(_ x: Tensor) -> Tensor {
        precondition(x.shape.last == size, "LayerNorm.fused: input shape \(x.shape), expected [..., \(size)]")
        let rows = x.count / size
        var y = Tensor(uninitializedShape: x.shape)
        var mean = [Float](repeating: 0, count: rows), rstd = mean
        x.withUnsafeBufferPointer { px in
            weight.value.withUnsafeBufferPointer { pw in
                bias.value.withUnsafeBufferPointer { pb in
                    y.withUnsafeMutableBufferPointer { py in
                        mbrl_layernorm_forward(px.baseAddress, pw.baseAddress, pb.baseAddress, py.baseAddress,
                                               &mean, &rstd, rows, size, epsilon)
                    }
                }
            }
        }
        return y
    }
}
