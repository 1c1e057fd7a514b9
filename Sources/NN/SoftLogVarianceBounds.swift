import TensorCore

/// Learned soft bounds on a predicted log-variance (PETS, Chua et al. 2018; mbrl-lib `GaussianMLP`):
///
///     logvar = max − softplus(max − logvar)
///     logvar = min + softplus(logvar − min)
///
/// with trainable `min_logvar` (init −10) and `max_logvar` (init 0.5), each `[1, size]`, and the
/// regulariser ``penalty(tape:)`` = 0.01 · (Σ max − Σ min) added to the loss so the bounds tighten.
public final class SoftLogVarianceBounds: Module {
    public let size: Int
    public let minLogVariance: Parameter
    public let maxLogVariance: Parameter
    /// Weight of the bound regulariser (mbrl-lib: 0.01).
    public let penaltyWeight: Float

    public init(size: Int, initialMin: Float = -10, initialMax: Float = 0.5, penaltyWeight: Float = 0.01) {
        precondition(size > 0, "SoftLogVarianceBounds: size must be positive, got \(size)")
        self.size = size
        self.penaltyWeight = penaltyWeight
        minLogVariance = Parameter(Tensor(shape: [1, size], repeating: initialMin))
        maxLogVariance = Parameter(Tensor(shape: [1, size], repeating: initialMax))
    }

    public func namedParameters() -> [(String, Parameter)] {
        [("min_logvar", minLogVariance), ("max_logvar", maxLogVariance)]
    }

    /// Bounds a raw log-variance `[..., size]`.
    public func callAsFunction(_ logVariance: Variable) -> Variable {
        precondition(logVariance.shape.last == size, "SoftLogVarianceBounds: input shape \(logVariance.shape), expected [..., \(size)]")
        let hi = logVariance.tape.variable(maxLogVariance), lo = logVariance.tape.variable(minLogVariance)
        let upper = hi - (hi - logVariance).softplus()
        return lo + (upper - lo).softplus()
    }

    /// Inference form.
    public func callAsFunction(_ logVariance: Tensor) -> Tensor {
        let hi = maxLogVariance.value, lo = minLogVariance.value
        let upper = hi - (hi - logVariance).softplus()
        return lo + (upper - lo).softplus()
    }

    /// 0.01 · (Σ max_logvar − Σ min_logvar).
    public func penalty(tape: Tape) -> Variable {
        (tape.variable(maxLogVariance).sum() - tape.variable(minLogVariance).sum()) * penaltyWeight
    }
}
