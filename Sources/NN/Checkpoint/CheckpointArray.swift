/// A float32 array with a shape, as stored in a checkpoint: row-major
/// (C order, last index fastest), `values.count == shape.reduce(1, *)`
/// (a scalar has shape `[]` and one value).
///
/// Deliberately independent of `TensorCore.Tensor`, so checkpoints can be
/// written and read by any code holding named float buffers.
public struct CheckpointArray: Equatable, Sendable {
    public var shape: [Int]
    public var values: [Float]

    /// An array of `shape` holding `values`; `values.count` must equal the
    /// product of `shape` (checked when the file is written).
    public init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }

    /// Number of elements the shape describes (1 for a scalar), or nil if a
    /// dimension is negative or the product overflows.
    public var elementCount: Int? { Self.elementCount(of: shape) }

    static func elementCount(of shape: [Int]) -> Int? {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }
}
