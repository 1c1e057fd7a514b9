/// Buffers of one ``GaussianEnsembleMLP`` training batch size, allocated once
/// and reused by every step with that batch size.
///
/// Per hidden layer l: `hidden[l]` = act(Z_l) and `derivative[l]` = act'(Z_l),
/// each `[E, B, hiddenSize]`; the backward chain overwrites `derivative[l]`
/// with dL/dZ_l. `head` / `headGradient` are `[E, B, headSize]`. `scratch`
/// holds one `[rows, hiddenSize]` block per worker for dL/dH. Partial loss and
/// log-variance-bound gradients are kept per phase-1 item and reduced serially.
///
/// Phase-1 items (`rowItems`) are (member, row range). With `rowSplits == nil`
/// whole members run while they divide evenly over the workers and the
/// remaining `E mod W` members are split into W row blocks each (E 5, W 2:
/// four whole members + two halves): balanced, with fewer and larger GEMMs
/// than splitting every member (OpenBLAS packs the weights once per call).
final class EnsembleTrainingWorkspace {
    let batchSize: Int
    /// Phase-1 work: (member, first row, end row), largest first.
    let rowItems: [(member: Int, start: Int, end: Int)]
    let hidden: [UnsafeMutablePointer<Float>]
    let derivative: [UnsafeMutablePointer<Float>]
    let head: UnsafeMutablePointer<Float>
    let headGradient: UnsafeMutablePointer<Float>
    let scratch: [UnsafeMutablePointer<Float>]
    let lossPartials: UnsafeMutablePointer<Double>
    let minGradientPartials: UnsafeMutablePointer<Float>
    let maxGradientPartials: UnsafeMutablePointer<Float>
    /// Phase-2 work: (layer, member, first input row, end input row), largest first.
    let gradientItems: [(layer: Int, member: Int, start: Int, end: Int)]
    private var allocations: [UnsafeMutablePointer<Float>] = []

    init(batchSize: Int, rowSplits: Int?, workers: Int, ensembleSize: Int,
         hiddenSize: Int, headSize: Int, outputSize: Int, layers: [EnsembleLayerLayout]) {
        self.batchSize = batchSize
        let e = ensembleSize, b = batchSize
        var splits = [Int](repeating: 1, count: e)
        if let n = rowSplits {
            splits = [Int](repeating: n, count: e)
        } else if workers > 1 {
            for m in (e - e % workers)..<e { splits[m] = workers }
        }
        var rowItems: [(member: Int, start: Int, end: Int)] = []
        for m in 0..<e {
            let n = max(1, min(splits[m], b))
            for k in 0..<n { rowItems.append((m, k * b / n, (k + 1) * b / n)) }
        }
        rowItems.sort { $0.end - $0.start > $1.end - $1.start }
        self.rowItems = rowItems
        var allocations: [UnsafeMutablePointer<Float>] = []
        func make(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
            allocations.append(p)
            return p
        }
        let hiddenLayers = layers.count - 1
        hidden = (0..<hiddenLayers).map { _ in make(e * b * hiddenSize) }
        derivative = (0..<hiddenLayers).map { _ in make(e * b * hiddenSize) }
        head = make(e * b * headSize)
        headGradient = make(e * b * headSize)
        let maxRows = rowItems.map { $0.end - $0.start }.max() ?? 1
        scratch = (0..<max(1, workers)).map { _ in make(maxRows * hiddenSize) }
        let items = rowItems.count
        lossPartials = .allocate(capacity: items)
        lossPartials.initialize(repeating: 0, count: items)
        minGradientPartials = make(items * outputSize)
        maxGradientPartials = make(items * outputSize)
        self.allocations = allocations

        // Weight-gradient items: big layers split in two input-row blocks so
        // the largest-first queue balances two cores.
        var work: [(layer: Int, member: Int, start: Int, end: Int, cost: Int)] = []
        for (l, layer) in layers.enumerated() {
            let blocks = layer.inputSize * layer.outputSize >= 16_384 ? 2 : 1
            for m in 0..<e {
                for k in 0..<blocks {
                    let start = k * layer.inputSize / blocks, end = (k + 1) * layer.inputSize / blocks
                    work.append((l, m, start, end, (end - start) * layer.outputSize))
                }
            }
        }
        work.sort { $0.cost > $1.cost }
        gradientItems = work.map { ($0.layer, $0.member, $0.start, $0.end) }
    }

    deinit {
        for p in allocations { p.deallocate() }
        lossPartials.deallocate()
    }
}
