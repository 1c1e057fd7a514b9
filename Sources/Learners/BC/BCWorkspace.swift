import NN

/// Buffers of ``BCLearner/update(on:)`` for one batch size B, allocated once
/// and reused by every update with that B.
final class BCWorkspace {
    let batchSize: Int
    /// Row blocks of the row-parallel phase (one per worker).
    let rowBlocks: [Range<Int>]
    /// Normalised s `[B, obs]`, the batch's a, π(s) and dL/dπ `[B, act]`.
    let observations: UnsafeMutablePointer<Float>
    let actions: UnsafeMutablePointer<Float>
    let policyActions: UnsafeMutablePointer<Float>
    let actionGradient: UnsafeMutablePointer<Float>
    /// Per row block: Σ (π − a)².
    let lossPartials: UnsafeMutablePointer<Double>
    let pass: DenseNetwork.Workspace
    let parameters: DenseParameterPhase
    private let buffers: LearnerBuffers

    init(batchSize b: Int, observationSize: Int, actionSize: Int, workers: Int, network: DenseNetwork) {
        batchSize = b
        rowBlocks = LearnerBuffers.rowBlocks(rows: b, workers: workers)
        let buffers = LearnerBuffers()
        observations = buffers.floats(b * observationSize)
        actions = buffers.floats(b * actionSize)
        policyActions = buffers.floats(b * actionSize)
        actionGradient = buffers.floats(b * actionSize)
        lossPartials = buffers.doubles(rowBlocks.count)
        self.buffers = buffers
        pass = network.makeWorkspace(rows: b)
        parameters = DenseParameterPhase(networks: [network], workers: workers)
    }
}
