import CKernels
import Foundation

/// One Adam step's constants for ``DenseNetwork/applyAdam(_:to:)``: the
/// hyper-parameters and the bias corrections `1 − β₁ᵗ`, `1 − β₂ᵗ` of step t.
public struct DenseAdamStep: Sendable {
    public let learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let bias1: Float
    public let bias2: Float
}

extension DenseNetwork {
    // MARK: - Adam

    /// Starts Adam step t + 1 (torch.optim.Adam semantics, no weight decay):
    /// advances ``optimizerStep`` and allocates the moments on first use. Apply
    /// it to the whole buffer or to slices (``applyAdam(_:to:)``, e.g. one per
    /// gradient block, right after the block's gradients while they are in cache).
    public func beginAdamStep(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999,
                              epsilon: Float = 1e-8) -> DenseAdamStep {
        precondition(learningRate >= 0 && (0..<1).contains(beta1) && (0..<1).contains(beta2) && epsilon >= 0,
                     "DenseNetwork Adam: lr \(learningRate), betas (\(beta1), \(beta2)), eps \(epsilon)")
        allocateMoments()
        optimizerStep += 1
        let t = Double(optimizerStep)
        return DenseAdamStep(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                             bias1: Float(1 - pow(Double(beta1), t)), bias2: Float(1 - pow(Double(beta2), t)))
    }

    /// Adam on the parameters in `range` (flat indices) from ``gradients``: one
    /// `mbrl_adam_update` call. Slices of one step may run on different threads.
    public func applyAdam(_ step: DenseAdamStep, to range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= parameterCount, "DenseNetwork.applyAdam: range \(range) of \(parameterCount)")
        guard let m = firstMoment, let v = secondMoment, !range.isEmpty else { return }
        let o = range.lowerBound
        mbrl_adam_update(parameters.baseAddress! + o, gradients.baseAddress! + o, m + o, v + o, range.count,
                         step.learningRate, step.beta1, step.beta2, step.epsilon, 0, 0, step.bias1, step.bias2)
    }

    /// One Adam step over every parameter (``beginAdamStep(learningRate:beta1:beta2:epsilon:)``
    /// then ``applyAdam(_:to:)`` on the whole buffer).
    public func adamStep(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        applyAdam(beginAdamStep(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon), to: 0..<parameterCount)
    }

    /// Adam's first and second moments (zeros before the first step), flat order.
    public var adamMoments: (first: [Float], second: [Float]) {
        guard let m = firstMoment, let v = secondMoment else {
            let zeros = [Float](repeating: 0, count: parameterCount)
            return (zeros, zeros)
        }
        return (Array(UnsafeBufferPointer(start: m, count: parameterCount)), Array(UnsafeBufferPointer(start: v, count: parameterCount)))
    }

    /// Forgets the moments and the step count.
    public func resetOptimizer() {
        optimizerStep = 0
        firstMoment?.update(repeating: 0, count: parameterCount)
        secondMoment?.update(repeating: 0, count: parameterCount)
    }

    func allocateMoments() {
        guard firstMoment == nil else { return }
        firstMoment = .allocate(capacity: parameterCount)
        firstMoment!.initialize(repeating: 0, count: parameterCount)
        secondMoment = .allocate(capacity: parameterCount)
        secondMoment!.initialize(repeating: 0, count: parameterCount)
    }

    // MARK: - Target networks

    /// Polyak averaging toward `source` (same shape): θ' ← τθ + (1 − τ)θ' on the
    /// flat range `range` (all parameters by default).
    public func softUpdate(toward source: DenseNetwork, tau: Float, range: Range<Int>? = nil) {
        precondition(source.layerSizes == layerSizes, "DenseNetwork.softUpdate: shapes \(source.layerSizes) and \(layerSizes)")
        let r = range ?? 0..<parameterCount
        mbrl_dense_polyak(parameters.baseAddress! + r.lowerBound, source.parameters.baseAddress! + r.lowerBound, r.count, tau)
    }

    /// Hard copy of `source`'s parameters (same shape): θ' ← θ.
    public func copyParameters(from source: DenseNetwork) {
        precondition(source.layerSizes == layerSizes, "DenseNetwork.copyParameters: shapes \(source.layerSizes) and \(layerSizes)")
        parameters.baseAddress!.update(from: source.parameters.baseAddress!, count: parameterCount)
    }

    // MARK: - Gradient clipping

    /// Rescales ``gradients`` so their global L2 norm is at most `maxNorm`, as
    /// `torch.nn.utils.clip_grad_norm_` (and ``clipGradientNorm(_:maxNorm:)``):
    /// factor = min(1, maxNorm / (norm + 1e-6)). Returns the norm before clipping.
    @discardableResult
    public func clipGradientNorm(maxNorm: Float) -> Float {
        precondition(maxNorm > 0, "DenseNetwork.clipGradientNorm: maxNorm must be positive, got \(maxNorm)")
        let g = gradients.baseAddress!
        let norm = Float(mbrl_dot_double(g, g, parameterCount).squareRoot())
        let factor = maxNorm / (norm + 1e-6)
        if factor < 1 { for i in 0..<parameterCount { g[i] *= factor } }
        return norm
    }
}
