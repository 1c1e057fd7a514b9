import NN
import Replay
import SeededRandom

/// Deep Q-learning (Mnih et al. 2015, "Human-level control through deep
/// reinforcement learning") as CleanRL's `dqn.py`, with SB3's options (Huber
/// loss, gradient-norm clipping, Polyak targets) and Double DQN.
///
/// **Networks**: Q `obs → hidden → actionCount` (``DenseNetwork``, ReLU,
/// PyTorch-default init from the generator) and a target copy Q'.
///
/// **Update** on a batch (s, a, r, s', terminated) of B rows, `a` the action
/// index stored as a Float:
///
///     y = r + γ (1 − terminated) · Q'(s', argmax_a' Q'(s', a'))     (DQN: max_a' Q'(s', a'))
///     y = r + γ (1 − terminated) · Q'(s', argmax_a' Q(s', a'))      (Double DQN)
///     L = mean_i ℓ(Q(s_i, a_i) − y_i),   ℓ = d² (MSE) or smooth-L1 with δ = 1 (Huber)
///
/// then optional global-norm clipping of ∇L and one Adam step. Bootstrapping
/// stops at `terminated` only; truncated rows bootstrap (STYLE rule 7). The
/// target network changes only in ``updateTargetNetwork()``.
///
/// **Cost**: for CleanRL's CartPole sizes (4-120-84-2, B 128, 10 934
/// parameters) an update is ≈ 11 MFLOP on one thread (the network is too small
/// to pay for a fork-join): forward of s' and s, the backward, Adam. Nothing is
/// allocated per update once the batch size is known.
///
/// Not thread-safe: one caller at a time.
public final class DQNLearner {
    public let observationSize: Int
    public let actionCount: Int
    public let configuration: DQNConfiguration
    /// Updates taken so far.
    public internal(set) var updates = 0
    /// The online network Q.
    public let qNetwork: DenseNetwork
    /// The target network Q'.
    public let targetNetwork: DenseNetwork

    var workspace: DQNWorkspace?
    /// Rows per chunk of ``qValues(observations:rows:)``.
    static let inferenceChunkRows = 512
    var inference: DenseNetwork.Workspace?

    /// A learner with a seeded Q-network and its target copy. The configuration must
    /// pass ``DQNConfiguration/validate()`` (a precondition here).
    public init(observationSize: Int, actionCount: Int, configuration: DQNConfiguration, generator: inout SeededGenerator) {
        do { try configuration.validate() } catch { preconditionFailure("\(error)") }
        precondition(observationSize > 0 && actionCount > 0,
                     "DQNLearner: observationSize \(observationSize) and actionCount \(actionCount) must be positive")
        self.observationSize = observationSize
        self.actionCount = actionCount
        self.configuration = configuration
        qNetwork = DenseNetwork(inputSize: observationSize, hiddenSizes: configuration.hiddenSizes, outputSize: actionCount,
                                generator: &generator)
        targetNetwork = DenseNetwork(copying: qNetwork)
    }

    /// Parameters of the Q-network (10 934 for CleanRL's CartPole network).
    public var parameterCount: Int { qNetwork.parameterCount }

    // MARK: - Update

    /// One gradient step on `batch` (`actionSize` 1 holding the action index; see the
    /// type's doc). Returns the loss and mean Q before the step.
    @discardableResult
    public func update(on batch: TransitionBatch) -> DQNUpdateMetrics {
        let metrics = computeGradients(batch)
        if let norm = configuration.maxGradientNorm { qNetwork.clipGradientNorm(maxNorm: norm) }
        qNetwork.adamStep(learningRate: configuration.learningRate)
        updates += 1
        return metrics
    }

    /// The TD targets, the loss and its gradient (left in `qNetwork.gradients`, unclipped); no step.
    func computeGradients(_ batch: TransitionBatch) -> DQNUpdateMetrics {
        precondition(batch.observationSize == observationSize && batch.actionSize == 1 && batch.batchSize > 0,
                     "DQNLearner.update: batch of \(batch.batchSize) rows × (observation \(batch.observationSize), action \(batch.actionSize)), "
                     + "expected ≥ 1 row × (\(observationSize), 1)")
        let b = batch.batchSize, n = actionCount
        if workspace?.batchSize != b { workspace = DQNWorkspace(batchSize: b, network: qNetwork) }
        let ws = workspace!
        let q = qNetwork
        var loss = 0.0, sum = 0.0
        batch.observations.withUnsafeBufferPointer { s in
            batch.nextObservations.withUnsafeBufferPointer { s2 in
                let s = s.baseAddress!, s2 = s2.baseAddress!
                computeTargets(batch, nextObservations: s2, workspace: ws)
                q.forward(s, rows: b, workspace: ws.pass)
                let out = ws.pass.output, grad = ws.pass.outputGradient
                grad.update(repeating: 0, count: b * n)
                let huber = configuration.loss == .huber, scale = 1 / Float(b)
                for i in 0..<b {
                    let a = Self.actionIndex(batch.actions[i], count: n)
                    let prediction = out[i * n + a], d = prediction - ws.targets[i]
                    sum += Double(prediction)
                    if huber && abs(d) >= 1 {
                        loss += Double(abs(d) - 0.5)
                        grad[i * n + a] = scale * (d > 0 ? 1 : -1)
                    } else {
                        loss += Double(huber ? 0.5 * d * d : d * d)
                        grad[i * n + a] = scale * (huber ? d : 2 * d)
                    }
                }
                q.backward(input: s, rows: b, workspace: ws.pass)
            }
        }
        return DQNUpdateMetrics(loss: Float(loss / Double(b)), meanQ: Float(sum / Double(b)))
    }

    /// y into `ws.targets` (no gradient): the target network on s', and for Double
    /// DQN the online network's argmax.
    func computeTargets(_ batch: TransitionBatch, nextObservations s2: UnsafePointer<Float>, workspace ws: DQNWorkspace) {
        let b = batch.batchSize, n = actionCount, gamma = configuration.gamma
        targetNetwork.forward(s2, rows: b, workspace: ws.targetPass)
        let next = ws.targetPass.output
        if configuration.doubleDQN { qNetwork.forward(s2, rows: b, workspace: ws.nextPass) }
        for i in 0..<b {
            let choice = configuration.doubleDQN ? Self.argmax(ws.nextPass.output + i * n, n) : Self.argmax(next + i * n, n)
            ws.targets[i] = batch.rewards[i] + gamma * (1 - batch.terminated[i]) * next[i * n + choice]
        }
    }

    /// Target update θ' ← τθ + (1 − τ)θ' (a hard copy for τ = 1); the loop calls it at its interval.
    public func updateTargetNetwork() {
        if configuration.tau == 1 {
            targetNetwork.copyParameters(from: qNetwork)
        } else {
            targetNetwork.softUpdate(toward: qNetwork, tau: configuration.tau)
        }
    }

    // MARK: - Acting

    /// Q(s, ·) `[rows, actionCount]` for observations `[rows, observationSize]`, in chunks of 512 rows.
    public func qValues(observations: [Float], rows: Int) -> [Float] {
        precondition(rows >= 0 && observations.count == rows * observationSize,
                     "DQNLearner.qValues: \(observations.count) observation values for \(rows) rows of \(observationSize)")
        if inference == nil { inference = qNetwork.makeWorkspace(rows: Self.inferenceChunkRows) }
        let ws = inference!, chunk = Self.inferenceChunkRows, n = actionCount
        var result = [Float](repeating: 0, count: rows * n)
        observations.withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { out in
                for r0 in stride(from: 0, to: rows, by: chunk) {
                    let m = min(chunk, rows - r0)
                    qNetwork.forward(x.baseAddress! + r0 * observationSize, rows: m, workspace: ws)
                    (out.baseAddress! + r0 * n).update(from: ws.output, count: m * n)
                }
            }
        }
        return result
    }

    /// argmax_a Q(observation, a) (the first on ties, as `torch.argmax`).
    public func greedyAction(observation: [Float]) -> Int {
        let values = qValues(observations: observation, rows: 1)
        return values.withUnsafeBufferPointer { Self.argmax($0.baseAddress!, actionCount) }
    }

    static func argmax(_ values: UnsafePointer<Float>, _ count: Int) -> Int {
        var best = 0
        for a in 1..<max(count, 1) where values[a] > values[best] { best = a }
        return best
    }

    static func actionIndex(_ value: Float, count: Int) -> Int {
        let index = Int(exactly: value) ?? -1
        precondition(index >= 0 && index < count, "DQNLearner.update: action \(value) is not an index in 0..<\(count)")
        return index
    }
}

/// Buffers of ``DQNLearner/update(on:)`` for one batch size.
final class DQNWorkspace {
    let batchSize: Int
    /// Q on s (kept for the backward pass), Q' on s', Q on s' (Double DQN).
    let pass: DenseNetwork.Workspace
    let targetPass: DenseNetwork.Workspace
    let nextPass: DenseNetwork.Workspace
    /// y, `[B]`.
    let targets: UnsafeMutablePointer<Float>

    init(batchSize: Int, network: DenseNetwork) {
        self.batchSize = batchSize
        pass = network.makeWorkspace(rows: batchSize)
        targetPass = network.makeWorkspace(rows: batchSize)
        nextPass = network.makeWorkspace(rows: batchSize)
        targets = .allocate(capacity: batchSize)
        targets.initialize(repeating: 0, count: batchSize)
    }

    deinit { targets.deallocate() }
}
