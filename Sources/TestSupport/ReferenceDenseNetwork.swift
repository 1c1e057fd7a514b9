import NN

/// A plain Double forward of a ``NN/DenseNetwork`` — `Z = X Wᵀ + b` per layer,
/// ReLU between layers, parameters in the network's flat layout — written
/// from the definitions as an independent oracle for its tests and for the
/// learners' finite-difference checks.
public struct ReferenceDenseNetwork {
    /// Weights `[out, in]` then biases `[out]`, layer after layer (`DenseNetwork.flatParameters`).
    public var parameters: [Double]
    public let layerSizes: [Int]

    public init(parameters: [Double], layerSizes: [Int]) {
        self.parameters = parameters
        self.layerSizes = layerSizes
    }

    public init(_ network: DenseNetwork) {
        self.init(parameters: network.flatParameters.map(Double.init), layerSizes: network.layerSizes)
    }

    /// Outputs `[rows, out]` for inputs `[rows, in]`, with every hidden pre-activation passed to `observe`.
    public func forward(_ x: [Double], rows: Int, observe: (Double) -> Void = { _ in }) -> [Double] {
        var h = x, offset = 0
        for l in 0..<(layerSizes.count - 1) {
            let fanIn = layerSizes[l], fanOut = layerSizes[l + 1]
            let w = offset, b = offset + fanIn * fanOut
            offset = b + fanOut
            var next = [Double](repeating: 0, count: rows * fanOut)
            for r in 0..<rows {
                for o in 0..<fanOut {
                    var z = parameters[b + o]
                    for i in 0..<fanIn { z += h[r * fanIn + i] * parameters[w + o * fanIn + i] }
                    if l < layerSizes.count - 2 {
                        observe(z)
                        z = max(z, 0)
                    }
                    next[r * fanOut + o] = z
                }
            }
            h = next
        }
        return h
    }

    /// `forward`, lowering `kink` to the smallest |hidden pre-activation| seen (the distance to a ReLU kink,
    /// where finite differences are not to be trusted).
    public func forward(_ x: [Double], rows: Int, kink: inout Double) -> [Double] {
        var smallest = kink
        let out = forward(x, rows: rows) { smallest = min(smallest, abs($0)) }
        kink = smallest
        return out
    }

    /// The smallest |pre-activation| of any hidden unit (distance to the ReLU kink).
    public func smallestPreactivation(_ x: [Double], rows: Int) -> Double {
        var smallest = Double.infinity
        _ = forward(x, rows: rows) { smallest = min(smallest, abs($0)) }
        return smallest
    }
}
