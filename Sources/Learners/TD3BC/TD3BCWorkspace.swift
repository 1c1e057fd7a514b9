import NN

/// Buffers of ``TD3BCLearner/update(on:using:)`` for one batch size B,
/// allocated once and reused by every update with that B.
///
/// Critic inputs are `[B, obs + act]` rows `[norm(s) | a]`: `criticInput`
/// (s, a) from the batch, `nextInput` (s', ã') for the target, `policyInput`
/// (s, π(s)) for the actor loss.
final class TD3BCWorkspace {
    let batchSize: Int
    let rowBlocks: [Range<Int>]
    /// Normalised s and s' `[B, obs]`, r and terminated `[B]`.
    let observations: UnsafeMutablePointer<Float>
    let nextObservations: UnsafeMutablePointer<Float>
    let rewards: UnsafeMutablePointer<Float>
    let terminated: UnsafeMutablePointer<Float>
    let criticInput: UnsafeMutablePointer<Float>
    let nextInput: UnsafeMutablePointer<Float>
    let policyInput: UnsafeMutablePointer<Float>
    /// ε of the target smoothing `[B, act]`, the critic target y `[B]`.
    let noise: UnsafeMutablePointer<Float>
    let target: UnsafeMutablePointer<Float>
    /// dL/d(Q1 input) in the actor step `[B, obs + act]`, dL/dπ `[B, act]`.
    let criticInputGradient: UnsafeMutablePointer<Float>
    let actionGradient: UnsafeMutablePointer<Float>
    /// Per row block: Σ (Q1 − y)² + (Q2 − y)², Σ (Q1 + Q2), Σ |Q1(s, π)|, Σ Q1(s, π), Σ (π − a)².
    let criticLossPartials: UnsafeMutablePointer<Double>
    let qSumPartials: UnsafeMutablePointer<Double>
    let policyAbsQPartials: UnsafeMutablePointer<Double>
    let policyQPartials: UnsafeMutablePointer<Double>
    let cloningPartials: UnsafeMutablePointer<Double>

    let actorPass: DenseNetwork.Workspace
    let targetActorPass: DenseNetwork.Workspace
    let targetPasses: [DenseNetwork.Workspace]
    let criticPasses: [DenseNetwork.Workspace]
    /// Q1 on (s, π(s)).
    let policyPass: DenseNetwork.Workspace
    let criticParameters: DenseParameterPhase
    let actorParameters: DenseParameterPhase
    private let buffers: LearnerBuffers

    init(batchSize b: Int, observationSize: Int, actionSize: Int, workers: Int, actor: DenseNetwork, critics: [DenseNetwork]) {
        batchSize = b
        rowBlocks = LearnerBuffers.rowBlocks(rows: b, workers: workers)
        let width = observationSize + actionSize, blocks = rowBlocks.count
        let buffers = LearnerBuffers()
        observations = buffers.floats(b * observationSize)
        nextObservations = buffers.floats(b * observationSize)
        rewards = buffers.floats(b)
        terminated = buffers.floats(b)
        criticInput = buffers.floats(b * width)
        nextInput = buffers.floats(b * width)
        policyInput = buffers.floats(b * width)
        noise = buffers.floats(b * actionSize)
        target = buffers.floats(b)
        criticInputGradient = buffers.floats(b * width)
        actionGradient = buffers.floats(b * actionSize)
        criticLossPartials = buffers.doubles(blocks)
        qSumPartials = buffers.doubles(blocks)
        policyAbsQPartials = buffers.doubles(blocks)
        policyQPartials = buffers.doubles(blocks)
        cloningPartials = buffers.doubles(blocks)
        self.buffers = buffers
        actorPass = actor.makeWorkspace(rows: b)
        targetActorPass = actor.makeWorkspace(rows: b)
        targetPasses = critics.map { $0.makeWorkspace(rows: b) }
        criticPasses = critics.map { $0.makeWorkspace(rows: b) }
        policyPass = critics[0].makeWorkspace(rows: b)
        criticParameters = DenseParameterPhase(networks: critics, workers: workers)
        actorParameters = DenseParameterPhase(networks: [actor], workers: workers)
    }
}
