/// Per-feature standardisation of observations, `(s − μ) / σ`, fitted to an
/// offline dataset as TD3+BC (Fujimoto & Gu 2021, §5: "we normalize the
/// features of every state in the provided dataset", `σ + 10⁻³`). The
/// identity (μ = 0, σ = 1) until fitted.
public struct ObservationNormalizer: Sendable, Equatable {
    /// μ, `[size]`.
    public private(set) var mean: [Float]
    /// σ + ε, `[size]` (never 0).
    public private(set) var std: [Float]

    /// The identity for observations of `size` floats.
    public init(size: Int) {
        mean = [Float](repeating: 0, count: size)
        std = [Float](repeating: 1, count: size)
    }

    /// μ and the population σ (+ `epsilon`) of each feature of `observations`
    /// (`[rows, size]`, at least one row), accumulated in Double.
    public init(observations: [Float], size: Int, epsilon: Float = 1e-3) {
        precondition(size > 0 && observations.count % size == 0 && !observations.isEmpty,
                     "ObservationNormalizer: \(observations.count) values for rows of \(size)")
        let rows = observations.count / size
        var sum = [Double](repeating: 0, count: size), squares = [Double](repeating: 0, count: size)
        for r in 0..<rows {
            for j in 0..<size {
                let x = Double(observations[r * size + j])
                sum[j] += x
                squares[j] += x * x
            }
        }
        mean = sum.map { Float($0 / Double(rows)) }
        std = (0..<size).map { j in
            let m = sum[j] / Double(rows)
            return Float(max(squares[j] / Double(rows) - m * m, 0).squareRoot()) + epsilon
        }
    }

    /// ``init(observations:size:epsilon:)`` for a learner's dataset; throws
    /// ``LearnerConfigurationError`` naming `learner` when there are no rows or the
    /// values do not make whole rows of `size`.
    static func fitted(to observations: [Float], size: Int, learner: String) throws -> ObservationNormalizer {
        guard !observations.isEmpty, observations.count % size == 0 else {
            throw LearnerConfigurationError(learner: learner, message: "cannot fit the observation normaliser to \(observations.count) "
                                            + "values (whole rows of \(size) observation values, at least one row, are needed)")
        }
        return ObservationNormalizer(observations: observations, size: size)
    }

    /// A normalizer from stored statistics (a checkpoint); `std` must be positive.
    init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    /// Writes `(x − μ) / σ` of `rows` rows of `input` (`[rows, size]`) into `output`
    /// (rows `stride` floats apart, the first `size` columns of each).
    func normalize(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>, stride: Int) {
        let size = mean.count
        mean.withUnsafeBufferPointer { mu in
            std.withUnsafeBufferPointer { sigma in
                for r in 0..<rows {
                    for j in 0..<size { output[r * stride + j] = (input[r * size + j] - mu[j]) / sigma[j] }
                }
            }
        }
    }
}
