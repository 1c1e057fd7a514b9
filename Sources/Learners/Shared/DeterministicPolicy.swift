import Foundation
import NN
import SeededRandom

/// A deterministic policy bounded by tanh — TD3's actor (Fujimoto et al. 2018,
/// `max_action · tanh(·)`), used by TD3+BC and behaviour cloning:
///
///     z = f(norm(s))            f: DenseNetwork obs → hidden → act (ReLU)
///     a = tanh(z) ⊙ scale + bias,   scale = (high − low)/2,  bias = (high + low)/2
///
/// `norm` is the ``ObservationNormalizer`` (the identity unless fitted). The
/// backward pass through the head is `dL/dz = dL/da ⊙ scale ⊙ (1 − tanh²z)`.
/// Batched passes write into a caller's ``DenseNetwork/Workspace`` and
/// pointers; ``act(observations:rows:into:)`` reuses one workspace of 512 rows.
/// Not thread-safe for `act`; the row-range passes may run on disjoint rows concurrently.
public final class DeterministicPolicy {
    public let observationSize: Int
    public let actionSize: Int
    /// The network f (`obs → act`).
    public let network: DenseNetwork
    public let actionLow: [Float]
    public let actionHigh: [Float]
    /// Half range and midpoint of the bounds.
    public let actionScale: [Float]
    public let actionBias: [Float]
    /// Applied to observations before f.
    public internal(set) var observationNormalizer: ObservationNormalizer

    static let actingChunkRows = 512
    private var acting: (pass: DenseNetwork.Workspace, input: [Float])?

    /// A seeded network (PyTorch-default init). Bounds: `[actionSize]` each, finite, low < high (preconditions: check user input first).
    public init(observationSize: Int, actionLow: [Float], actionHigh: [Float], hiddenSizes: [Int], generator: inout SeededGenerator) {
        precondition(observationSize > 0 && !actionLow.isEmpty && actionLow.count == actionHigh.count,
                     "DeterministicPolicy: observation size \(observationSize), bounds of \(actionLow.count) and \(actionHigh.count) values")
        precondition(zip(actionLow, actionHigh).allSatisfy { $0.isFinite && $1.isFinite && $0 < $1 },
                     "DeterministicPolicy: action bounds must be finite with low < high, got \(actionLow) … \(actionHigh)")
        self.observationSize = observationSize
        actionSize = actionLow.count
        self.actionLow = actionLow
        self.actionHigh = actionHigh
        actionScale = zip(actionLow, actionHigh).map { ($1 - $0) / 2 }
        actionBias = zip(actionLow, actionHigh).map { ($1 + $0) / 2 }
        network = DenseNetwork(inputSize: observationSize, hiddenSizes: hiddenSizes, outputSize: actionLow.count, generator: &generator)
        observationNormalizer = ObservationNormalizer(size: observationSize)
    }

    // MARK: - Batched passes

    /// Actions of rows `rows` of `normalizedObservations` (`[*, obs]`) through `network`
    /// (this policy's, or a target copy of it) into `output` (row r at `output + r·stride`).
    func forward(_ normalizedObservations: UnsafePointer<Float>, rows: Range<Int>, workspace: DenseNetwork.Workspace,
                 into output: UnsafeMutablePointer<Float>, stride: Int, network: DenseNetwork? = nil) {
        (network ?? self.network).forward(normalizedObservations, rows: rows, workspace: workspace)
        let act = actionSize, z = workspace.output
        actionScale.withUnsafeBufferPointer { scale in
            actionBias.withUnsafeBufferPointer { bias in
                for r in rows {
                    for j in 0..<act { output[r * stride + j] = tanh(z[r * act + j]) * scale[j] + bias[j] }
                }
            }
        }
    }

    /// From dL/da (`actionGradient`, row r at `actionGradient + r·stride`) of rows `rows`
    /// after ``forward(_:rows:workspace:into:stride:network:)`` in `workspace`: dL/dz into the
    /// workspace's output gradient, then the network's backward chain (no parameter gradients).
    func backpropagate(rows: Range<Int>, workspace: DenseNetwork.Workspace, actionGradient: UnsafePointer<Float>, stride: Int) {
        let act = actionSize, z = workspace.output, dz = workspace.outputGradient
        actionScale.withUnsafeBufferPointer { scale in
            for r in rows {
                for j in 0..<act {
                    let t = tanh(z[r * act + j])
                    dz[r * act + j] = actionGradient[r * stride + j] * scale[j] * (1 - t * t)
                }
            }
        }
        network.backpropagate(rows: rows, workspace: workspace, inputGradient: nil)
    }

    // MARK: - Acting

    /// Actions `[rows, actionSize]` for raw observations `[rows, observationSize]`
    /// (normalised here), in chunks of 512 rows; `actions` is resized when its count differs.
    public func act(observations: [Float], rows: Int, into actions: inout [Float]) {
        precondition(rows >= 0 && observations.count == rows * observationSize,
                     "DeterministicPolicy.act: \(observations.count) observation values for \(rows) rows of \(observationSize)")
        if actions.count != rows * actionSize { actions = [Float](repeating: 0, count: rows * actionSize) }
        let chunk = Self.actingChunkRows, obs = observationSize, act = actionSize
        if acting == nil {
            acting = (network.makeWorkspace(rows: chunk), [Float](repeating: 0, count: chunk * obs))
        }
        let pass = acting!.pass
        observations.withUnsafeBufferPointer { x in
            actions.withUnsafeMutableBufferPointer { out in
                acting!.input.withUnsafeMutableBufferPointer { input in
                    for r0 in stride(from: 0, to: rows, by: chunk) {
                        let n = min(chunk, rows - r0)
                        observationNormalizer.normalize(x.baseAddress! + r0 * obs, rows: n, into: input.baseAddress!, stride: obs)
                        forward(input.baseAddress!, rows: 0..<n, workspace: pass, into: out.baseAddress! + r0 * act, stride: act)
                    }
                }
            }
        }
    }
}
