import CKernels
import TensorCore

/// A fused form of ``LayerNorm`` for the backbones' hot paths (transformer,
/// S4WM, Mamba): the same function (PyTorch `nn.LayerNorm`, biased variance, ε
/// from the layer) as one tape node over (x, weight, bias) instead of the eight
/// generic ops of `LayerNorm.callAsFunction(_: Variable)`, computed by the C
/// kernels `mbrl_layernorm_forward` / `mbrl_layernorm_backward`:
///
///     x̂ = (x − μ)·r,  r = 1/√(σ² + ε),  y = x̂·w + b
///     dx = r·(g − mean(g) − x̂·mean(g·x̂)),  g = dy·w;  dw = Σ dy·x̂;  db = Σ dy
///
/// Saves μ and r per row (2 floats per row) for the backward pass.
/// Cost: ~3 passes over x forward, ~3 backward; no temporaries besides the outputs.
extension LayerNorm {
    /// Differentiable fused forward over the last axis; rows are split over `threads` workers
    /// (the weight and bias gradients are summed per worker, then added).
    public func fused(_ x: Variable, threads: Int = 1) -> Variable {
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
                        mean.withUnsafeMutableBufferPointer { pm in
                            rstd.withUnsafeMutableBufferPointer { pr in
                                let (xs, ws, bs, ys, ms, rs) = (px.baseAddress!, pw.baseAddress!, pb.baseAddress!, py.baseAddress!, pm.baseAddress!, pr.baseAddress!)
                                ParallelFor.chunks(count: rows, parts: threads) { _, r in
                                    let o = r.lowerBound
                                    mbrl_layernorm_forward(xs + o * n, ws, bs, ys + o * n, ms + o, rs + o, r.count, n, epsilon)
                                }
                            }
                        }
                    }
                }
            }
        }
        let workers = max(1, min(threads, rows))
        return tape.record(y, inputs: [x, w, b]) { g, need in
            var dx = Tensor(uninitializedShape: xv.shape)
            var partial = [Float](repeating: 0, count: workers * 2 * n)  // per worker: dw | db
            g.withUnsafeBufferPointer { pg in
                xv.withUnsafeBufferPointer { px in
                    wv.withUnsafeBufferPointer { pw in
                        dx.withUnsafeMutableBufferPointer { pdx in
                            partial.withUnsafeMutableBufferPointer { pp in
                                mean.withUnsafeBufferPointer { pm in
                                    rstd.withUnsafeBufferPointer { pr in
                                        let (gs, xs, ws, dxs, ps) = (pg.baseAddress!, px.baseAddress!, pw.baseAddress!, pdx.baseAddress!, pp.baseAddress!)
                                        let (ms, rs) = (pm.baseAddress!, pr.baseAddress!)
                                        ParallelFor.chunks(count: rows, parts: workers) { w, r in
                                            let o = r.lowerBound
                                            mbrl_layernorm_backward(gs + o * n, xs + o * n, ws, ms + o, rs + o, dxs + o * n,
                                                                    ps + w * 2 * n, ps + w * 2 * n + n, r.count, n)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            var dw = Tensor(zeros: [n]), db = Tensor(zeros: [n])
            for w in 0..<workers {
                for j in 0..<n {
                    dw.scalars[j] += partial[w * 2 * n + j]
                    db.scalars[j] += partial[w * 2 * n + n + j]
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
