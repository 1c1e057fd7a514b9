import CKernels
import NN
import TensorCore

/// Exact (erf) GELU, x·Φ(x) (Hendrycks & Gimpel 2016), as one tape node whose
/// forward and backward are split over `threads` workers (contiguous chunks of
/// the elements, each running TensorCore's vectorised `mbrl_unary` /
/// `mbrl_unary_backward` GELU kernels). The same function and derivative as
/// `Variable.gelu()`; used in the S4WM blocks (the transformer MLP fuses its
/// GELU into ``FusedFeedForward``).
enum ParallelGELU {
    static func apply(_ x: Variable, threads: Int) -> Variable {
        let xv = x.value
        let n = xv.count
        var y = Tensor(uninitializedShape: xv.shape)
        xv.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                let (src, dst) = (px.baseAddress!, py.baseAddress!)
                ParallelFor.chunks(count: n, parts: threads) { _, r in
                    mbrl_unary(Int32(MBRL_GELU_ERF), src + r.lowerBound, dst + r.lowerBound, r.count, 0, 0)
                }
            }
        }
        let yv = y
        return x.tape.record(y, inputs: [x]) { g, _ in
            var gx = Tensor(uninitializedShape: xv.shape)
            xv.withUnsafeBufferPointer { px in
                yv.withUnsafeBufferPointer { py in
                    g.withUnsafeBufferPointer { pg in
                        gx.withUnsafeMutableBufferPointer { pgx in
                            let (a, b, c, d) = (px.baseAddress!, py.baseAddress!, pg.baseAddress!, pgx.baseAddress!)
                            ParallelFor.chunks(count: n, parts: threads) { _, r in
                                let o = r.lowerBound
                                mbrl_unary_backward(Int32(MBRL_GELU_ERF), a + o, b + o, c + o, d + o, r.count, 0, 0)
                            }
                        }
                    }
                }
            }
            return [gx]
        }
    }
}
