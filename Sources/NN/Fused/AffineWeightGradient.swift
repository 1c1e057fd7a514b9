import CBLAS

/// The parameter gradients of one affine map `y = x·Wᵀ + b` over `rows` rows,
/// for the output features `first ..< first + count`:
///
///     ∂W = Gᵀ·X   (one GEMM),   ∂b = Gᵀ·1   (one GEMV),
///
/// with G = ∂L/∂y `[rows, outputs]` and X `[rows, inputs]`. ``split(parts:)``
/// cuts the output features into contiguous ranges (``ParallelFor/ranges(count:parts:)``),
/// each written by one worker, so several maps' gradients can share one fork-join
/// (`Linear.fused`, the transformer's fused feed-forward block).
public struct AffineWeightGradient {
    public let gradient: UnsafePointer<Float>
    public let input: UnsafePointer<Float>
    public let outputs: Int
    public let inputs: Int
    /// `[outputs, inputs]`, or nil when the weight's gradient is not needed.
    public let weight: UnsafeMutablePointer<Float>?
    /// `[outputs]`, or nil when the bias's gradient is not needed.
    public let bias: UnsafeMutablePointer<Float>?
    public private(set) var first = 0
    public private(set) var count: Int

    public init(gradient: UnsafePointer<Float>, input: UnsafePointer<Float>, outputs: Int, inputs: Int,
                weight: UnsafeMutablePointer<Float>?, bias: UnsafeMutablePointer<Float>?) {
        (self.gradient, self.input, self.outputs, self.inputs, self.weight, self.bias) = (gradient, input, outputs, inputs, weight, bias)
        count = outputs
    }

    /// `parts` items over contiguous ranges of the output features.
    public func split(parts: Int) -> [AffineWeightGradient] {
        ParallelFor.ranges(count: outputs, parts: parts).map { r in
            var item = self
            (item.first, item.count) = (r.lowerBound, r.count)
            return item
        }
    }

    /// Writes this item's rows of ∂W and entries of ∂b; `ones` holds `rows` ones (needed with a bias).
    public func compute(rows: Int, ones: UnsafePointer<Float>?) {
        if let weight {
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(count), Int32(inputs), Int32(rows), 1,
                        gradient + first, Int32(outputs), input, Int32(inputs), 0, weight + first * inputs, Int32(inputs))
        }
        if let bias, let ones {
            cblas_sgemv(CblasRowMajor, CblasTrans, Int32(rows), Int32(count), 1, gradient + first, Int32(outputs),
                        ones, 1, 0, bias + first, 1)
        }
    }
}
