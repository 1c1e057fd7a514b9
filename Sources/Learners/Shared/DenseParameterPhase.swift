import NN

/// The parameter half of a batched update over a group of ``DenseNetwork``s
/// that read the same input (SAC's and TD3+BC's twin critics on `[s | a]`, an
/// actor on `s`): per (network, gradient block), largest first, on a work
/// queue, the block's weight and bias gradients (`dW = dZᵀX`, `db = Σ dZ`, from
/// the dL/dZ a backward pass left in each network's workspace), then Adam on
/// that slice and the Polyak update `θ' ← τθ + (1 − τ)θ'` of the target's same
/// slice while it is in cache.
///
/// Large layers are cut into `workers / networks` blocks per network, so two
/// critics' 256×256 gradients land on different cores. The blocks are made once
/// (``init(networks:workers:)``); ``run(_:targets:input:rows:workspaces:learningRate:tau:queue:)``
/// allocates nothing but the queue's fork-join.
struct DenseParameterPhase {
    /// (network index, block), largest first.
    let items: [(network: Int, block: DenseNetwork.GradientBlock)]

    init(networks: [DenseNetwork], workers: Int) {
        let perNetwork = max(1, workers / max(1, networks.count))
        items = networks.enumerated()
            .flatMap { k, network in network.gradientBlocks(blocks: perNetwork).map { (k, $0) } }
            .sorted { $0.block.cost > $1.block.cost }
    }

    /// Gradients of every block of `networks` over rows `0..<rows` of `input` (network
    /// k's activations in `workspaces[k]`), plus `extraGradients[k]` (a further loss
    /// term's gradient in network k's flat layout, e.g. EDAC's diversity term);
    /// with `learningRate`, one Adam step of each network; with `tau`, the Polyak
    /// update of `targets[k]` toward network k.
    func run(_ networks: [DenseNetwork], targets: [DenseNetwork]?, input: UnsafePointer<Float>, rows: Int,
             workspaces: [DenseNetwork.Workspace], learningRate: Float?, tau: Float?, queue: EnsembleWorkQueue,
             extraGradients: [UnsafeMutablePointer<Float>]? = nil) {
        precondition(workspaces.count == networks.count && (tau == nil || targets?.count == networks.count),
                     "DenseParameterPhase: \(networks.count) networks, \(workspaces.count) workspaces, \(targets?.count ?? 0) targets")
        let steps = networks.map { network in learningRate.map { network.beginAdamStep(learningRate: $0) } }
        let items = items
        queue.run(count: items.count) { _, i in
            let (k, block) = items[i]
            networks[k].computeGradients(block, input: input, rows: rows, workspace: workspaces[k])
            if let extra = extraGradients?[k] {
                let g = networks[k].gradients
                for i in block.weights { g[i] += extra[i] }
                for i in block.biases { g[i] += extra[i] }
            }
            if let step = steps[k] {
                networks[k].applyAdam(step, to: block.weights)
                networks[k].applyAdam(step, to: block.biases)
            }
            if let tau, let targets {
                targets[k].softUpdate(toward: networks[k], tau: tau, range: block.weights)
                targets[k].softUpdate(toward: networks[k], tau: tau, range: block.biases)
            }
        }
    }
}
