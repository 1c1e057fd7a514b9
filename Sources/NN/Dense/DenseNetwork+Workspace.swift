extension DenseNetwork {
    /// Activation buffers of one pass through a ``DenseNetwork`` for up to
    /// `capacity` rows: per linear layer l, `activations[l]` (`[capacity, out_l]`:
    /// the ReLU output, or the raw output for the last layer) and `deltas[l]`
    /// (dL/dZ_l, same shape). Each buffer is 64-byte aligned, so row blocks
    /// written by different threads share no cache line when a block's byte size
    /// is a multiple of 64.
    ///
    /// Keep one workspace per pass whose activations the backward pass needs
    /// (e.g. a critic's forward on (s, a) and its forward on (s, π(s))).
    public final class Workspace {
        /// Rows the buffers hold.
        public let capacity: Int
        /// The network shape the buffers are laid out for.
        public let layerSizes: [Int]
        /// Per linear layer: its output (after ReLU for hidden layers), `[capacity, out_l]`.
        public let activations: [UnsafeMutablePointer<Float>]
        /// Per linear layer: dL/dZ_l, `[capacity, out_l]`.
        public let deltas: [UnsafeMutablePointer<Float>]
        private let allocations: [UnsafeMutableRawPointer]

        public init(layerSizes: [Int], capacity: Int) {
            precondition(capacity >= 0 && layerSizes.count >= 2, "DenseNetwork.Workspace: capacity \(capacity), layers \(layerSizes)")
            self.capacity = capacity
            self.layerSizes = layerSizes
            var allocations: [UnsafeMutableRawPointer] = []
            func make(_ count: Int) -> UnsafeMutablePointer<Float> {
                let n = max(count, 1)
                let raw = UnsafeMutableRawPointer.allocate(byteCount: n * MemoryLayout<Float>.stride, alignment: 64)
                allocations.append(raw)
                return raw.initializeMemory(as: Float.self, repeating: 0, count: n)
            }
            activations = layerSizes.dropFirst().map { make(capacity * $0) }
            deltas = layerSizes.dropFirst().map { make(capacity * $0) }
            self.allocations = allocations
        }

        deinit { for p in allocations { p.deallocate() } }

        /// The network's outputs, `[capacity, outputSize]` (the last layer's activations).
        public var output: UnsafeMutablePointer<Float> { activations[activations.count - 1] }
        /// dL/dY, `[capacity, outputSize]`: written by the caller before the backward pass.
        public var outputGradient: UnsafeMutablePointer<Float> { deltas[deltas.count - 1] }

        /// Moves rows `selected[0..<count]` of every activation and of ``outputGradient``
        /// to rows `destination ..< destination + count`, in place, so a backward pass can
        /// run over only those rows (e.g. where the output gradient is non-zero). `selected`
        /// must be increasing with `selected[j] ≥ destination + j`. The rows moved from,
        /// and the hidden layers' deltas, are left as they are.
        public func compactRows(_ selected: UnsafePointer<Int>, count: Int, to destination: Int) {
            for j in 0..<count where selected[j] != destination + j {
                precondition(selected[j] > destination + j && selected[j] < capacity,
                             "DenseNetwork.Workspace.compactRows: row \(selected[j]) cannot move to \(destination + j)")
                for (l, width) in layerSizes.dropFirst().enumerated() {
                    (activations[l] + (destination + j) * width).update(from: activations[l] + selected[j] * width, count: width)
                }
                let width = layerSizes[layerSizes.count - 1]
                (outputGradient + (destination + j) * width).update(from: outputGradient + selected[j] * width, count: width)
            }
        }
    }

    /// A workspace for this network and up to `rows` rows.
    public func makeWorkspace(rows: Int) -> Workspace {
        Workspace(layerSizes: layerSizes, capacity: rows)
    }
}
