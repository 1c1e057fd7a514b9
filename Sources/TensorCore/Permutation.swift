// General axis permutation (NumPy `transpose(axes)`, torch `permute`), e.g.
// `[batch, time, heads, headSize]` → `[batch, heads, time, headSize]` for
// attention. Always a contiguous copy; the inner loop copies runs along the
// output's last axis. Backward applies the inverse permutation.

extension Tensor {
    /// The tensor with axes reordered: output axis `i` is input axis `axes[i]`.
    /// - Precondition: `axes` is a permutation of `0..<rank`.
    public func permuted(_ axes: [Int]) -> Tensor {
        precondition(axes.sorted() == Array(0..<rank), "permuted: \(axes) is not a permutation of the axes of shape \(shape)")
        if axes == Array(0..<rank) { return self }
        let outShape = axes.map { shape[$0] }
        var inStrides = [Int](repeating: 1, count: rank)
        for i in stride(from: rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
        let strides = axes.map { inStrides[$0] }           // input stride of each output axis
        var out = Tensor(uninitializedShape: outShape)
        let cols = outShape[rank - 1], lastStride = strides[rank - 1]
        let rows = count / Swift.max(cols, 1)
        withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                var index = [Int](repeating: 0, count: rank)
                var offset = 0
                for r in 0..<rows {
                    let dst = po.baseAddress! + r * cols
                    for j in 0..<cols { dst[j] = px[offset + j * lastStride] }
                    var axis = rank - 2
                    while axis >= 0 {
                        index[axis] += 1
                        offset += strides[axis]
                        if index[axis] < outShape[axis] { break }
                        offset -= strides[axis] * outShape[axis]
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
        return out
    }
}

extension Variable {
    /// Axis permutation; backward permutes the gradient back.
    public func permuted(_ axes: [Int]) -> Variable {
        var inverse = [Int](repeating: 0, count: axes.count)
        for (i, a) in axes.enumerated() { inverse[a] = i }
        return tape.record(value.permuted(axes), inputs: [self]) { g, _ in [g.permuted(inverse)] }
    }
}
