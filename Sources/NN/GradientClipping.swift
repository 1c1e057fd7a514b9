import TensorCore

/// Rescales `gradients` so their global L2 norm is at most `maxNorm`, as
/// `torch.nn.utils.clip_grad_norm_`: factor = min(1, maxNorm / (norm + 1e-6)).
/// Returns the norm before clipping.
@discardableResult
public func clipGradientNorm(_ gradients: inout Gradients, maxNorm: Float) -> Float {
    precondition(maxNorm > 0, "clipGradientNorm: maxNorm must be positive, got \(maxNorm)")
    let norm = gradients.globalNorm
    let factor = maxNorm / (norm + 1e-6)
    if factor < 1 { gradients.scale(by: factor) }
    return norm
}
