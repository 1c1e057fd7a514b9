import CKernels
import Foundation

// Reductions over one axis. A shape is viewed as [outer, n, inner] around the
// reduced axis; results drop that axis unless `keepingAxis` is set (then it has
// extent 1, ready to broadcast back). Sums accumulate in Float, row by row
// (vectorised adds of `inner`-long rows).

extension Tensor {
    func split3(_ axis: Int) -> (outer: Int, n: Int, inner: Int) {
        let a = normalizedAxis(axis)
        return (shape[..<a].reduce(1, *), shape[a], shape[(a + 1)...].reduce(1, *))
    }

    func reducedShape(_ axis: Int, keepingAxis: Bool) -> [Int] {
        let a = normalizedAxis(axis)
        var s = shape
        if keepingAxis { s[a] = 1 } else { s.remove(at: a) }
        return s
    }

    /// Σ over `axis`.
    public func sum(axis: Int, keepingAxis: Bool = false) -> Tensor {
        let (outer, n, inner) = split3(axis)
        var out = Tensor(zeros: reducedShape(axis, keepingAxis: keepingAxis))
        withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                for o in 0..<outer {
                    let dst = po.baseAddress! + o * inner
                    for j in 0..<n {
                        mbrl_binary(Int32(MBRL_ADD), dst, 1, px.baseAddress! + (o * n + j) * inner, 1, dst, inner)
                    }
                }
            }
        }
        return out
    }

    /// Σ over all elements (accumulated in Double), as a rank-0 tensor.
    public func sum() -> Tensor {
        var s = 0.0
        for v in scalars { s += Double(v) }
        return Tensor(Float(s))
    }

    /// Mean over `axis`.
    public func mean(axis: Int, keepingAxis: Bool = false) -> Tensor {
        sum(axis: axis, keepingAxis: keepingAxis) * (1 / Float(shape[normalizedAxis(axis)]))
    }

    /// Mean of all elements, as a rank-0 tensor.
    public func mean() -> Tensor { sum() * (1 / Float(Swift.max(count, 1))) }

    /// Maximum over `axis` and the (first) index attaining it, flat within the `[outer, inner]` result.
    func maxWithArgmax(axis: Int, keepingAxis: Bool) -> (Tensor, [Int]) {
        let (outer, n, inner) = split3(axis)
        precondition(n > 0, "max(axis:): empty axis \(axis) in shape \(shape)")
        var out = Tensor(zeros: reducedShape(axis, keepingAxis: keepingAxis))
        var arg = [Int](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                var best = -Float.infinity, bi = 0
                for j in 0..<n {
                    let v = scalars[(o * n + j) * inner + i]
                    if v > best || j == 0 { best = v; bi = j }
                }
                out.scalars[o * inner + i] = best
                arg[o * inner + i] = bi
            }
        }
        return (out, arg)
    }

    /// Maximum over `axis`.
    public func max(axis: Int, keepingAxis: Bool = false) -> Tensor { maxWithArgmax(axis: axis, keepingAxis: keepingAxis).0 }

    /// log Σ exp over `axis`, stabilised by the maximum: m + log Σ exp(x − m).
    public func logSumExp(axis: Int, keepingAxis: Bool = false) -> Tensor {
        let m = max(axis: axis, keepingAxis: true)
        let mSafe = m.applying(.clamp(min: -Float.greatestFiniteMagnitude, max: Float.greatestFiniteMagnitude))
        let s = (self - mSafe).exp().sum(axis: axis, keepingAxis: true).log() + mSafe
        return keepingAxis ? s : s.reshaped(reducedShape(axis, keepingAxis: false))
    }

    /// Mean and biased variance (divide by n) over the last axis, each of shape `[..., 1]`
    /// (the statistics of layer normalisation). Two passes, accumulated in Double.
    public func moments() -> (mean: Tensor, variance: Tensor) {
        let n = shape.last ?? 1
        let rows = count / Swift.max(n, 1)
        var mean = Tensor(zeros: Array(shape.dropLast()) + [1])
        var variance = mean
        for r in 0..<rows {
            var s = 0.0
            for j in 0..<n { s += Double(scalars[r * n + j]) }
            let mu = s / Double(n)
            var v = 0.0
            for j in 0..<n { let d = Double(scalars[r * n + j]) - mu; v += d * d }
            mean.scalars[r] = Float(mu)
            variance.scalars[r] = Float(v / Double(n))
        }
        return (mean, variance)
    }
}

extension Variable {
    /// Σ over `axis`; backward broadcasts the gradient back along the axis.
    public func sum(axis: Int, keepingAxis: Bool = false) -> Variable {
        let x = value
        let keptShape = x.reducedShape(axis, keepingAxis: true)
        return tape.record(x.sum(axis: axis, keepingAxis: keepingAxis), inputs: [self]) { g, _ in
            [g.reshaped(keptShape).broadcast(to: x.shape)]
        }
    }

    /// Σ over all elements.
    public func sum() -> Variable {
        let shape = self.shape
        return tape.record(value.sum(), inputs: [self]) { g, _ in [Tensor(shape: shape, repeating: g.scalar)] }
    }

    /// Mean over `axis`.
    public func mean(axis: Int, keepingAxis: Bool = false) -> Variable {
        sum(axis: axis, keepingAxis: keepingAxis) * (1 / Float(shape[value.normalizedAxis(axis)]))
    }

    /// Mean of all elements.
    public func mean() -> Variable { sum() * (1 / Float(Swift.max(value.count, 1))) }

    /// Maximum over `axis`; the gradient goes to the first maximal element.
    public func max(axis: Int, keepingAxis: Bool = false) -> Variable {
        let x = value
        let (out, arg) = x.maxWithArgmax(axis: axis, keepingAxis: keepingAxis)
        let (outer, n, inner) = x.split3(axis)
        return tape.record(out, inputs: [self]) { g, _ in
            var gx = Tensor(zeros: x.shape)
            for o in 0..<outer { for i in 0..<inner {
                gx.scalars[(o * n + arg[o * inner + i]) * inner + i] = g.scalars[o * inner + i]
            } }
            return [gx]
        }
    }

    /// log Σ exp over `axis`; backward: g · softmax(x) along the axis.
    public func logSumExp(axis: Int, keepingAxis: Bool = false) -> Variable {
        let x = value
        let kept = x.logSumExp(axis: axis, keepingAxis: true)
        let out = keepingAxis ? kept : kept.reshaped(x.reducedShape(axis, keepingAxis: false))
        return tape.record(out, inputs: [self]) { g, _ in
            [(x - kept).exp() * g.reshaped(kept.shape)]
        }
    }

    /// Mean and biased variance over the last axis, shapes `[..., 1]`, composed
    /// from differentiable ops: μ = mean(x), σ² = mean((x − μ)²).
    public func moments() -> (mean: Variable, variance: Variable) {
        let mu = mean(axis: -1, keepingAxis: true)
        let centered = self - mu
        return (mu, centered.squared().mean(axis: -1, keepingAxis: true))
    }
}
