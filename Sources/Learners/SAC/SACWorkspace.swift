import NN

/// Buffers of ``SACLearner/update(on:using:)`` for one batch size B, allocated
/// once and reused by every update with that B (64-byte aligned).
///
/// Critic inputs are `[B, obs + act]` rows `[s | a]`: `criticInput` (s, a) from
/// the batch, `nextInput` (s', a' ~ π(·|s')) for the target, `policyInput`
/// (s, ã ~ π(·|s)) for the actor loss. Each network pass whose activations a
/// backward pass or a later phase reads has its own ``DenseNetwork/Workspace``.
/// Per row block: partial sums of the losses, reduced in block order (so the
/// result does not depend on which thread ran which block).
final class SACWorkspace {
    let batchSize: Int
    /// Row blocks of the row-parallel phases (one per worker).
    let rowBlocks: [Range<Int>]

    /// The batch: s and s' (`[B, obs]`, the actor's inputs), r and terminated (`[B]`).
    let observations: UnsafeMutablePointer<Float>
    let nextObservations: UnsafeMutablePointer<Float>
    let rewards: UnsafeMutablePointer<Float>
    let terminated: UnsafeMutablePointer<Float>
    let criticInput: UnsafeMutablePointer<Float>
    let nextInput: UnsafeMutablePointer<Float>
    let policyInput: UnsafeMutablePointer<Float>
    /// ε for a' (`[B, act]`) and for ã.
    let nextNoise: UnsafeMutablePointer<Float>
    let noise: UnsafeMutablePointer<Float>
    /// log π(a'|s'), log π(ã|s), the critic target y (`[B]` each).
    let nextLogProb: UnsafeMutablePointer<Float>
    let logProb: UnsafeMutablePointer<Float>
    let target: UnsafeMutablePointer<Float>
    /// dL/d(critic input) of each critic in the actor step (`[B, obs + act]`), and
    /// their sum over the action columns (`[B, act]`).
    let criticInputGradients: [UnsafeMutablePointer<Float>]
    let actionGradient: UnsafeMutablePointer<Float>
    /// Per critic: the rows where it is the minimum in the actor loss (ties in both),
    /// listed per row block from the block's first row on (`[B]` each).
    let minimumRows: [UnsafeMutablePointer<Int>]

    let actorNext: DenseNetwork.Workspace
    let actorCurrent: DenseNetwork.Workspace
    /// Per critic: target pass on (s', a'), pass on (s, a), pass on (s, ã).
    let targetPasses: [DenseNetwork.Workspace]
    let criticPasses: [DenseNetwork.Workspace]
    let policyPasses: [DenseNetwork.Workspace]
    /// Per critic (`[N]` pointers, for the per-row minimum loops): the target pass's output,
    /// the policy pass's output and its output gradient.
    let targetQ: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    let policyQ: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    let policyQGradient: UnsafeMutablePointer<UnsafeMutablePointer<Float>>

    /// Per row block: Σ (Q1 − y)² + (Q2 − y)², Σ (Q1 + Q2), Σ (α log π − min Q), Σ log π.
    let criticLossPartials: UnsafeMutablePointer<Double>
    let qSumPartials: UnsafeMutablePointer<Double>
    let qMaxPartials: UnsafeMutablePointer<Double>
    let actorLossPartials: UnsafeMutablePointer<Double>
    let logProbPartials: UnsafeMutablePointer<Double>

    /// Parameter-gradient work of the critic phase ((critic, block), largest first) and of the actor phase.
    let criticParameters: DenseParameterPhase
    let actorParameters: DenseParameterPhase
    /// EDAC's diversity term (nil when `diversityWeight` is 0).
    let diversity: EnsembleDiversityTerm?

    private var allocations: [UnsafeMutableRawPointer] = []

    init(batchSize b: Int, observationSize: Int, actionSize: Int, workers: Int,
         actor: DenseNetwork, critics: [DenseNetwork], diversity: Bool = false) {
        batchSize = b
        let blocks = max(1, min(workers, b))
        rowBlocks = (0..<blocks).map { k in (k * b / blocks) ..< ((k + 1) * b / blocks) }
        let width = observationSize + actionSize
        var allocations: [UnsafeMutableRawPointer] = []
        func make<T>(_ count: Int, zero: T) -> UnsafeMutablePointer<T> {
            let n = max(count, 1)
            let raw = UnsafeMutableRawPointer.allocate(byteCount: n * MemoryLayout<T>.stride, alignment: 64)
            allocations.append(raw)
            return raw.initializeMemory(as: T.self, repeating: zero, count: n)
        }
        func floats(_ count: Int) -> UnsafeMutablePointer<Float> { make(count, zero: 0) }
        func doubles(_ count: Int) -> UnsafeMutablePointer<Double> { make(count, zero: 0) }
        observations = floats(b * observationSize)
        nextObservations = floats(b * observationSize)
        rewards = floats(b)
        terminated = floats(b)
        criticInput = floats(b * width)
        nextInput = floats(b * width)
        policyInput = floats(b * width)
        nextNoise = floats(b * actionSize)
        noise = floats(b * actionSize)
        nextLogProb = floats(b)
        logProb = floats(b)
        target = floats(b)
        criticInputGradients = critics.map { _ in floats(b * width) }
        actionGradient = floats(b * actionSize)
        minimumRows = critics.map { _ in make(b, zero: 0) }
        criticLossPartials = doubles(blocks)
        qSumPartials = doubles(blocks)
        qMaxPartials = doubles(blocks)
        actorLossPartials = doubles(blocks)
        logProbPartials = doubles(blocks)
        self.allocations = allocations

        actorNext = actor.makeWorkspace(rows: b)
        actorCurrent = actor.makeWorkspace(rows: b)
        targetPasses = critics.map { $0.makeWorkspace(rows: b) }
        criticPasses = critics.map { $0.makeWorkspace(rows: b) }
        policyPasses = critics.map { $0.makeWorkspace(rows: b) }
        func table(_ pointers: [UnsafeMutablePointer<Float>]) -> UnsafeMutablePointer<UnsafeMutablePointer<Float>> {
            let p = UnsafeMutablePointer<UnsafeMutablePointer<Float>>.allocate(capacity: pointers.count)
            p.initialize(from: pointers, count: pointers.count)
            return p
        }
        targetQ = table(targetPasses.map(\.output))
        policyQ = table(policyPasses.map(\.output))
        policyQGradient = table(policyPasses.map(\.outputGradient))

        criticParameters = DenseParameterPhase(networks: critics, workers: workers)
        actorParameters = DenseParameterPhase(networks: [actor], workers: workers)
        self.diversity = diversity
            ? EnsembleDiversityTerm(critics: critics, observationSize: observationSize, actionSize: actionSize, batchSize: b) : nil
    }

    deinit {
        for p in allocations { p.deallocate() }
        for p in [targetQ, policyQ, policyQGradient] { p.deallocate() }
    }
}
