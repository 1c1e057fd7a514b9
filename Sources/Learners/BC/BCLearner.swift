import Foundation
import NN
import Replay
import SeededRandom

/// Behaviour cloning for continuous actions: a deterministic tanh-bounded
/// policy (``DeterministicPolicy``) regressed onto the dataset's actions,
///
///     L(θ) = (1 / (B · act)) Σ_i ‖π_θ(s_i) − a_i‖²,
///
/// PyTorch's `F.mse_loss(pi, action)` (the mean over every element), one Adam
/// step per ``update(on:)`` — TD3+BC with α = 0 (Fujimoto & Gu 2021) and CORL's
/// `any_percent_bc.py`. Observations are standardised with the dataset's
/// statistics when ``BCConfiguration/normalizeObservations``.
///
/// **Update** in two phases on `threads` workers: per row block, the policy's
/// forward, the loss and dL/da = 2(π − a)/(B·act), the head's and the
/// network's backward chains; then per gradient block, the weight gradients and
/// Adam (``DenseParameterPhase``). Buffers are made when the batch size changes,
/// not per update. Not thread-safe: one caller at a time.
public final class BCLearner {
    public let configuration: BCConfiguration
    /// The policy π (its network, bounds and observation normaliser).
    public let policy: DeterministicPolicy
    /// Updates taken so far.
    public internal(set) var updates = 0

    let queue: EnsembleWorkQueue
    var workspace: BCWorkspace?

    /// A learner with a seeded policy for actions in `[actionLow, actionHigh]`. The configuration
    /// must pass ``BCConfiguration/validate()`` (a precondition here: validate user input first).
    public init(observationSize: Int, actionLow: [Float], actionHigh: [Float], configuration: BCConfiguration,
                generator: inout SeededGenerator) {
        do { try configuration.validate() } catch { preconditionFailure("\(error)") }
        self.configuration = configuration
        policy = DeterministicPolicy(observationSize: observationSize, actionLow: actionLow, actionHigh: actionHigh,
                                     hiddenSizes: configuration.hiddenSizes, generator: &generator)
        queue = EnsembleWorkQueue(workers: configuration.threads ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    public var observationSize: Int { policy.observationSize }
    public var actionSize: Int { policy.actionSize }

    /// Fits the observation normaliser to a dataset's observations (`[rows, observationSize]`)
    /// when the configuration normalises; does nothing otherwise. Throws
    /// ``LearnerConfigurationError`` for an empty or ragged array.
    public func fitObservationNormalizer(_ observations: [Float]) throws {
        guard configuration.normalizeObservations else { return }
        policy.observationNormalizer = try ObservationNormalizer.fitted(to: observations, size: observationSize, learner: "BC")
    }

    /// One Adam step on the MSE between π(s) and the batch's actions (only `observations`
    /// and `actions` are read). Returns the loss before the step.
    @discardableResult
    public func update(on batch: TransitionBatch) -> BCUpdateMetrics {
        let loss = computeGradients(batch)
        let ws = workspace!
        ws.parameters.run([policy.network], targets: nil, input: ws.observations, rows: ws.batchSize, workspaces: [ws.pass],
                          learningRate: configuration.learningRate, tau: nil, queue: queue)
        updates += 1
        return BCUpdateMetrics(loss: loss)
    }

    /// The loss, and dL/dZ of every layer in the workspace (parameter gradients not yet computed).
    func computeGradients(_ batch: TransitionBatch) -> Float {
        let ws = prepare(batch)
        let b = ws.batchSize, act = actionSize, policy = policy, blocks = ws.rowBlocks
        let share = 2 / Float(b * act)
        queue.run(count: blocks.count) { _, block in
            let rows = blocks[block]
            policy.forward(ws.observations, rows: rows, workspace: ws.pass, into: ws.policyActions, stride: act)
            var loss = 0.0
            for i in rows.lowerBound * act ..< rows.upperBound * act {
                let d = ws.policyActions[i] - ws.actions[i]
                loss += Double(d * d)
                ws.actionGradient[i] = share * d
            }
            ws.lossPartials[block] = loss
            policy.backpropagate(rows: rows, workspace: ws.pass, actionGradient: ws.actionGradient, stride: act)
        }
        var loss = 0.0
        for block in 0..<blocks.count { loss += ws.lossPartials[block] }
        return Float(loss / Double(b * act))
    }

    /// The workspace for `batch`'s size, with the normalised observations and the actions copied in.
    func prepare(_ batch: TransitionBatch) -> BCWorkspace {
        precondition(batch.observationSize == observationSize && batch.actionSize == actionSize && batch.batchSize > 0,
                     "BCLearner.update: batch of \(batch.batchSize) rows × (observation \(batch.observationSize), action \(batch.actionSize)), "
                     + "expected ≥ 1 row × (\(observationSize), \(actionSize))")
        let b = batch.batchSize
        if workspace?.batchSize != b {
            workspace = BCWorkspace(batchSize: b, observationSize: observationSize, actionSize: actionSize,
                                    workers: queue.workers, network: policy.network)
        }
        let ws = workspace!
        batch.observations.withUnsafeBufferPointer {
            policy.observationNormalizer.normalize($0.baseAddress!, rows: b, into: ws.observations, stride: observationSize)
        }
        batch.actions.withUnsafeBufferPointer { ws.actions.update(from: $0.baseAddress!, count: b * actionSize) }
        return ws
    }

    /// Deterministic actions `[rows, actionSize]` for observations `[rows, observationSize]`.
    public func act(observations: [Float], rows: Int, into actions: inout [Float]) {
        policy.act(observations: observations, rows: rows, into: &actions)
    }
}

/// What one ``BCLearner/update(on:)`` measured.
public struct BCUpdateMetrics: Sendable, Equatable {
    /// The mean squared error before the step.
    public var loss: Float
}
