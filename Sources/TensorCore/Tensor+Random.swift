import SeededRandom

// MARK: - Random initialisers

extension Tensor {
    /// Elements drawn independently from U(low, high) with `generator` (row-major order).
    public init(shape: [Int], uniformLow low: Float, high: Float, generator: inout SeededGenerator) {
        let n = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n { values[i] = generator.uniform(low, high) }
        self.init(shape: shape, scalars: values)
    }

    /// Elements drawn independently from N(mean, std²) with `generator`.
    public init(shape: [Int], normalMean mean: Float = 0, std: Float = 1, generator: inout SeededGenerator) {
        var t = Tensor(zeros: shape)
        t.withUnsafeMutableBufferPointer { generator.fillNormal($0, mean: mean, std: std) }
        self = t
    }
}
