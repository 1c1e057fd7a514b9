import Foundation
import NN
import Replay
import SeededRandom

/// Behaviour cloning for discrete actions: a softmax policy over
/// `actionCount` logits (``DenseNetwork`` `obs → hidden → actionCount`),
/// fitted by cross-entropy to the dataset's action indices,
///
///     L(θ) = −(1/B) Σ_i log softmax(f_θ(s_i))_{a_i},   dL/dz_i = (softmax(z_i) − onehot(a_i)) / B,
///
/// PyTorch's `F.cross_entropy` (d3rlpy's `DiscreteBC`), one Adam step per
/// ``update(on:)``. Actions are stored as Float indices, as ``DQNLearner``'s.
/// Same configuration, phases and normaliser as ``BCLearner``.
/// Not thread-safe: one caller at a time.
public final class DiscreteBCLearner {
    public let observationSize: Int
    public let actionCount: Int
    public let configuration: BCConfiguration
    /// The logits network f.
    public let network: DenseNetwork
    /// Applied to observations before f (the identity unless fitted).
    public internal(set) var observationNormalizer: ObservationNormalizer
    /// Updates taken so far.
    public internal(set) var updates = 0

    let queue: EnsembleWorkQueue
    var workspace: DiscreteBCWorkspace?

    /// A learner with a seeded network. The configuration must pass ``BCConfiguration/validate()``
    /// (a precondition here: validate user input first).
    public init(observationSize: Int, actionCount: Int, configuration: BCConfiguration, generator: inout SeededGenerator) {
        do { try configuration.validate() } catch { preconditionFailure("\(error)") }
        precondition(observationSize > 0 && actionCount > 1,
                     "DiscreteBCLearner: observationSize \(observationSize) must be positive and actionCount \(actionCount) at least 2")
        self.observationSize = observationSize
        self.actionCount = actionCount
        self.configuration = configuration
        network = DenseNetwork(inputSize: observationSize, hiddenSizes: configuration.hiddenSizes, outputSize: actionCount,
                               generator: &generator)
        observationNormalizer = ObservationNormalizer(size: observationSize)
        queue = EnsembleWorkQueue(workers: configuration.threads ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Fits the observation normaliser to a dataset's observations when the configuration normalises (throws for an empty or ragged array).
    public func fitObservationNormalizer(_ observations: [Float]) throws {
        guard configuration.normalizeObservations else { return }
        observationNormalizer = try ObservationNormalizer.fitted(to: observations, size: observationSize, learner: "discrete BC")
    }

    /// One Adam step on the cross-entropy of the batch's action indices (`actionSize` 1;
    /// only `observations` and `actions` are read). Returns the loss and accuracy before the step.
    @discardableResult
    public func update(on batch: TransitionBatch) -> DiscreteBCUpdateMetrics {
        let metrics = computeGradients(batch)
        let ws = workspace!
        ws.parameters.run([network], targets: nil, input: ws.observations, rows: ws.batchSize, workspaces: [ws.pass],
                          learningRate: configuration.learningRate, tau: nil, queue: queue)
        updates += 1
        return metrics
    }

    /// The loss and accuracy, and dL/dZ of every layer in the workspace (no parameter gradients yet).
    func computeGradients(_ batch: TransitionBatch) -> DiscreteBCUpdateMetrics {
        precondition(batch.observationSize == observationSize && batch.actionSize == 1 && batch.batchSize > 0,
                     "DiscreteBCLearner.update: batch of \(batch.batchSize) rows × (observation \(batch.observationSize), action \(batch.actionSize)), "
                     + "expected ≥ 1 row × (\(observationSize), 1)")
        let b = batch.batchSize, n = actionCount
        if workspace?.batchSize != b {
            workspace = DiscreteBCWorkspace(batchSize: b, observationSize: observationSize, workers: queue.workers, network: network)
        }
        let ws = workspace!
        batch.observations.withUnsafeBufferPointer {
            observationNormalizer.normalize($0.baseAddress!, rows: b, into: ws.observations, stride: observationSize)
        }
        for i in 0..<b {
            let index = Int(exactly: batch.actions[i]) ?? -1
            precondition(index >= 0 && index < n, "DiscreteBCLearner.update: action \(batch.actions[i]) is not an index in 0..<\(n)")
            ws.labels[i] = index
        }
        let network = network, blocks = ws.rowBlocks, scale = 1 / Float(b)
        queue.run(count: blocks.count) { _, block in
            let rows = blocks[block]
            network.forward(ws.observations, rows: rows, workspace: ws.pass)
            var loss = 0.0, correct = 0
            for i in rows {
                let z = ws.pass.output + i * n, dz = ws.pass.outputGradient + i * n
                var largest = z[0], best = 0
                for c in 1..<n where z[c] > largest { (largest, best) = (z[c], c) }
                var total: Float = 0
                for c in 0..<n { total += Foundation.exp(z[c] - largest) }
                let label = ws.labels[i]
                loss += Double(Foundation.log(total) + largest - z[label])
                if best == label { correct += 1 }
                for c in 0..<n { dz[c] = scale * (Foundation.exp(z[c] - largest) / total - (c == label ? 1 : 0)) }
            }
            ws.lossPartials[block] = loss
            ws.correctPartials[block] = correct
            network.backpropagate(rows: rows, workspace: ws.pass, inputGradient: nil)
        }
        var loss = 0.0, correct = 0
        for block in 0..<blocks.count {
            loss += ws.lossPartials[block]
            correct += ws.correctPartials[block]
        }
        return DiscreteBCUpdateMetrics(loss: Float(loss / Double(b)), accuracy: Float(correct) / Float(b))
    }

    /// The most likely action (the first on ties) for each of `rows` observations.
    public func act(observations: [Float], rows: Int) -> [Int] {
        precondition(rows >= 0 && observations.count == rows * observationSize,
                     "DiscreteBCLearner.act: \(observations.count) observation values for \(rows) rows of \(observationSize)")
        var normalized = [Float](repeating: 0, count: observations.count)
        observations.withUnsafeBufferPointer { x in
            normalized.withUnsafeMutableBufferPointer {
                observationNormalizer.normalize(x.baseAddress!, rows: rows, into: $0.baseAddress!, stride: observationSize)
            }
        }
        let logits = network(normalized, rows: rows), n = actionCount
        return (0..<rows).map { r in
            var best = 0
            for c in 1..<n where logits[r * n + c] > logits[r * n + best] { best = c }
            return best
        }
    }
}

/// What one ``DiscreteBCLearner/update(on:)`` measured (before its step).
public struct DiscreteBCUpdateMetrics: Sendable, Equatable {
    /// Mean cross-entropy.
    public var loss: Float
    /// Fraction of rows whose most likely action is the batch's.
    public var accuracy: Float
}

/// Buffers of ``DiscreteBCLearner/update(on:)`` for one batch size.
final class DiscreteBCWorkspace {
    let batchSize: Int
    let rowBlocks: [Range<Int>]
    let observations: UnsafeMutablePointer<Float>
    let labels: UnsafeMutablePointer<Int>
    let lossPartials: UnsafeMutablePointer<Double>
    let correctPartials: UnsafeMutablePointer<Int>
    let pass: DenseNetwork.Workspace
    let parameters: DenseParameterPhase
    private let buffers = LearnerBuffers()

    init(batchSize b: Int, observationSize: Int, workers: Int, network: DenseNetwork) {
        batchSize = b
        rowBlocks = LearnerBuffers.rowBlocks(rows: b, workers: workers)
        observations = buffers.floats(b * observationSize)
        labels = buffers.make(b, zero: 0)
        lossPartials = buffers.doubles(rowBlocks.count)
        correctPartials = buffers.make(rowBlocks.count, zero: 0)
        pass = network.makeWorkspace(rows: b)
        parameters = DenseParameterPhase(networks: [network], workers: workers)
    }
}
