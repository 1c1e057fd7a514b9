/// Per-feature standardisation fitted to data: `z = (x - μ) / σ`, with σ
/// floored at `minimumStd` so constant features do not blow up (mbrl-lib's
/// `Normalizer`, which floors at 1e-12 → 1).
public struct Normalizer: Sendable, Equatable {
    public private(set) var mean: [Float]
    public private(set) var std: [Float]
    public static let minimumStd: Float = 1e-6

    /// The identity normaliser for `size` features.
    public init(size: Int) {
        mean = Array(repeating: 0, count: size)
        std = Array(repeating: 1, count: size)
    }

    /// A normaliser with the given statistics.
    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count, "Normalizer: mean has \(mean.count) values, std \(std.count)")
        self.mean = mean
        self.std = std.map { $0 < Self.minimumStd ? 1 : $0 }
    }

    public var size: Int { mean.count }

    /// Fits mean and standard deviation (population, in Double) to `rows` rows
    /// of `data` (`[rows, size]`).
    public mutating func fit(_ data: UnsafeBufferPointer<Float>, rows: Int) {
        let n = size
        precondition(data.count >= rows * n && rows > 0, "Normalizer.fit: need \(rows) rows of \(n) values")
        var sum = [Double](repeating: 0, count: n), squares = [Double](repeating: 0, count: n)
        for r in 0..<rows {
            for i in 0..<n { let x = Double(data[r * n + i]); sum[i] += x; squares[i] += x * x }
        }
        for i in 0..<n {
            let m = sum[i] / Double(rows)
            let variance = max(squares[i] / Double(rows) - m * m, 0)
            mean[i] = Float(m)
            let s = Float(variance.squareRoot())
            std[i] = s < Self.minimumStd ? 1 : s
        }
    }

    /// `(x - μ) / σ` for feature `i`.
    @inline(__always) public func normalize(_ x: Float, feature i: Int) -> Float { (x - mean[i]) / std[i] }

    /// `z σ + μ` for feature `i`.
    @inline(__always) public func denormalize(_ z: Float, feature i: Int) -> Float { z * std[i] + mean[i] }
}
