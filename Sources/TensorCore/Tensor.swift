import Foundation

/// A dense, row-major (C-order) array of `Float32` values with a shape.
///
/// Storage is a Swift `[Float]`, so a `Tensor` is a value with copy-on-write:
/// copies share one heap buffer until one of them is mutated, which then copies
/// it (O(count)). There are no strides: every tensor is contiguous, the last
/// axis varies fastest, and element `[i, j, k]` of shape `[A, B, C]` sits at
/// `(i * B + j) * C + k`. Views that would need strides (transposes) are
/// either folded into BLAS flags (`matmul(transposeA:transposeB:)`) or copied
/// (`transposed()`).
///
/// A rank-0 tensor (shape `[]`) holds one scalar. Operations on `Tensor` never
/// record gradients; wrap tensors in a ``Tape`` (as ``Variable``s) for that.
public struct Tensor: Equatable, CustomStringConvertible, Sendable {
    /// Extent of each axis, outermost first.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)` always.
    public var scalars: [Float] {
        didSet { precondition(scalars.count == count, "Tensor: scalars.count \(scalars.count) != product of shape \(shape)") }
    }
    /// Number of elements, the product of `shape` (1 for rank 0).
    public private(set) var count: Int

    /// A tensor of the given shape over row-major `scalars`.
    /// - Precondition: `scalars.count == shape.reduce(1, *)`, every extent >= 0.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        let n = shape.reduce(1, *)
        precondition(scalars.count == n, "Tensor: \(scalars.count) scalars for shape \(shape) (needs \(n))")
        self.shape = shape
        self.count = n
        self.scalars = scalars
    }

    /// A tensor of the given shape with every element `value`.
    public init(shape: [Int], repeating value: Float) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// A tensor whose elements are left unset (whatever the allocator returned; any bit
    /// pattern is a valid Float). For outputs a kernel overwrites completely — it skips the
    /// zero fill, which profiling showed at ~5% of a generic training step.
    public init(uninitializedShape shape: [Int]) {
        let n = shape.reduce(1, *)
        self.init(shape: shape, scalars: [Float](unsafeUninitializedCapacity: n) { _, initialized in initialized = n })
    }

    /// A zero tensor of the given shape.
    public init(zeros shape: [Int]) { self.init(shape: shape, repeating: 0) }

    /// A rank-0 tensor holding `value`.
    public init(_ value: Float) { self.init(shape: [], scalars: [value]) }

    /// A rank-1 tensor over `values`.
    public init(_ values: [Float]) { self.init(shape: [values.count], scalars: values) }

    /// A rank-2 tensor from rows of equal length.
    public init(rows: [[Float]]) {
        let cols = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == cols }, "Tensor(rows:): rows of unequal length")
        self.init(shape: [rows.count, cols], scalars: rows.flatMap { $0 })
    }

    /// Number of axes.
    public var rank: Int { shape.count }

    /// The single value of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "Tensor.scalar: tensor of shape \(shape) has \(count) elements, expected 1")
        return scalars[0]
    }

    /// Element at a full multi-index (bounds-checked; for tests and glue code, not hot loops).
    public subscript(indices: Int...) -> Float {
        get { scalars[flatIndex(indices)] }
        set { scalars[flatIndex(indices)] = newValue }
    }

    func flatIndex(_ indices: [Int]) -> Int {
        precondition(indices.count == rank, "Tensor: \(indices.count) indices for shape \(shape)")
        var flat = 0
        for (axis, i) in indices.enumerated() {
            precondition(i >= 0 && i < shape[axis], "Tensor: index \(i) out of range for axis \(axis) of shape \(shape)")
            flat = flat * shape[axis] + i
        }
        return flat
    }

    /// Resolves a possibly negative axis (`-1` is the last) against `rank`.
    public func normalizedAxis(_ axis: Int) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "Tensor: axis \(axis) out of range for shape \(shape)")
        return a
    }

    /// The same elements under a new shape with the same count; one extent may be `-1` (inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var s = newShape
        if let unknown = s.firstIndex(of: -1) {
            let known = s.enumerated().filter { $0.offset != unknown }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "reshaped: cannot infer \(newShape) from shape \(shape)")
            s[unknown] = count / known
        }
        precondition(s.reduce(1, *) == count, "reshaped: shape \(shape) (\(count) elements) cannot become \(newShape)")
        var t = self
        t.shape = s
        return t
    }

    /// Read-only access to the contiguous elements.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// Mutable access to the contiguous elements (copies first if the storage is shared).
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// Makes `self` an uninitialised-looking buffer of `shape`, reusing the
    /// existing allocation when the element count already matches (the `into:`
    /// variants call this, so a reused output costs no allocation).
    public mutating func prepare(shape newShape: [Int]) {
        let n = newShape.reduce(1, *)
        if n != count {
            self = Tensor(uninitializedShape: newShape)
        } else {
            shape = newShape
        }
    }

    public var description: String {
        let preview = scalars.prefix(8).map { String(format: "%.5g", Double($0)) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(preview)\(count > 8 ? ", …" : "")])"
    }
}
