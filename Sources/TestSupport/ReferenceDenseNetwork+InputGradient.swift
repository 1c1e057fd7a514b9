extension ReferenceDenseNetwork {
    /// ∂(Σ_o y_o)/∂x per row, `[rows, in]` (for a one-output network, the input gradient
    /// ∇_x y), by a plain Double backward pass from the definitions; `kink` is lowered to
    /// the smallest |hidden pre-activation| seen.
    public func inputGradient(_ x: [Double], rows: Int, kink: inout Double) -> [Double] {
        var result = [Double](repeating: 0, count: rows * layerSizes[0])
        let layers = layerSizes.count - 1
        for r in 0..<rows {
            // forward, keeping each hidden layer's pre-activations
            var h = Array(x[(r * layerSizes[0])..<((r + 1) * layerSizes[0])])
            var preactivations: [[Double]] = []
            var offset = 0
            var offsets: [Int] = []
            for l in 0..<layers {
                let fanIn = layerSizes[l], fanOut = layerSizes[l + 1]
                offsets.append(offset)
                var z = [Double](repeating: 0, count: fanOut)
                for o in 0..<fanOut {
                    z[o] = parameters[offset + fanIn * fanOut + o]
                    for i in 0..<fanIn { z[o] += parameters[offset + o * fanIn + i] * h[i] }
                }
                offset += fanIn * fanOut + fanOut
                if l < layers - 1 {
                    preactivations.append(z)
                    for v in z { kink = min(kink, abs(v)) }
                    h = z.map { max($0, 0) }
                } else {
                    h = z
                }
            }
            // backward from dL/dy = 1
            var delta = [Double](repeating: 1, count: layerSizes[layers])
            for l in stride(from: layers - 1, through: 0, by: -1) {
                let fanIn = layerSizes[l], fanOut = layerSizes[l + 1]
                var below = [Double](repeating: 0, count: fanIn)
                for o in 0..<fanOut {
                    for i in 0..<fanIn { below[i] += parameters[offsets[l] + o * fanIn + i] * delta[o] }
                }
                if l > 0 { for i in 0..<fanIn where preactivations[l - 1][i] <= 0 { below[i] = 0 } }
                delta = below
            }
            for i in 0..<layerSizes[0] { result[r * layerSizes[0] + i] = delta[i] }
        }
        return result
    }
}
