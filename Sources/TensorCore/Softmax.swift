import CKernels

// Softmax and log-softmax over the last axis, max-subtracted for stability:
//   softmax(x)_j    = exp(x_j − m) / Σ_k exp(x_k − m),  m = max_k x_k
//   logSoftmax(x)_j = x_j − m − log Σ_k exp(x_k − m)
// One pass of the vectorised `mbrl_softmax_rows` kernel per call.

extension Tensor {
    /// Softmax over the last axis into a reused buffer.
    public static func softmax(_ x: Tensor, log: Bool = false, into out: inout Tensor) {
        precondition(x.rank >= 1, "softmax: needs rank >= 1, got shape \(x.shape)")
        out.prepare(shape: x.shape)
        let cols = x.shape[x.rank - 1]
        let rows = cols == 0 ? 0 : x.count / cols
        x.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in mbrl_softmax_rows(px.baseAddress, po.baseAddress, rows, cols, log ? 1 : 0) }
        }
    }

    /// Softmax over the last axis.
    public func softmax() -> Tensor { var o = Tensor(zeros: [0]); Tensor.softmax(self, into: &o); return o }
    /// Log-softmax over the last axis.
    public func logSoftmax() -> Tensor { var o = Tensor(zeros: [0]); Tensor.softmax(self, log: true, into: &o); return o }
}

extension Variable {
    /// Softmax over the last axis; backward ∂x = y ⊙ (g − Σ_j g_j y_j).
    public func softmax() -> Variable {
        let y = value.softmax()
        return tape.record(y, inputs: [self]) { g, _ in
            [y * (g - (g * y).sum(axis: -1, keepingAxis: true))]
        }
    }

    /// Log-softmax over the last axis; backward ∂x = g − softmax(x) Σ_j g_j.
    public func logSoftmax() -> Variable {
        let y = value.logSoftmax()
        return tape.record(y, inputs: [self]) { g, _ in
            [g - y.exp() * g.sum(axis: -1, keepingAxis: true)]
        }
    }
}
