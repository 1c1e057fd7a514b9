import TensorCore

/// Layer normalisation over the last axis (Ba, Kiros & Hinton 2016; PyTorch `nn.LayerNorm(size)`):
///
///     y = (x − μ) / √(σ² + ε) · weight + bias,  μ, σ² = mean and biased variance over the last axis
///
/// - `weight`, `bias`: `[size]`, initialised to ones and zeros; ε = 1e-5.
/// - Input `[..., size]` → same shape.
public final class LayerNorm: Module {
    public let size: Int
    public let epsilon: Float
    public let weight: Parameter
    public let bias: Parameter

    public init(size: Int, epsilon: Float = 1e-5) {
        precondition(size > 0, "LayerNorm: size must be positive, got \(size)")
        self.size = size
        self.epsilon = epsilon
        weight = Parameter(Tensor(shape: [size], repeating: 1))
        bias = Parameter(Tensor(zeros: [size]))
    }

    public func namedParameters() -> [(String, Parameter)] { [("weight", weight), ("bias", bias)] }

    /// Differentiable forward, composed from TensorCore ops (mean, variance, rsqrt, affine).
    public func callAsFunction(_ x: Variable) -> Variable {
        precondition(x.shape.last == size, "LayerNorm: input shape \(x.shape), expected [..., \(size)]")
        let (mu, variance) = x.moments()
        let normalized = (x - mu) / (variance + epsilon).sqrt()
        return normalized * x.tape.variable(weight) + x.tape.variable(bias)
    }

    /// Inference forward (no tape), one pass per row.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.shape.last == size, "LayerNorm: input shape \(x.shape), expected [..., \(size)]")
        let (mu, variance) = x.moments()
        var out = x
        let rows = x.count / size
        let w = weight.value.scalars, b = bias.value.scalars
        out.withUnsafeMutableBufferPointer { p in
            for r in 0..<rows {
                let inv = 1 / (variance.scalars[r] + epsilon).squareRoot()
                let m = mu.scalars[r]
                for j in 0..<size { p[r * size + j] = (p[r * size + j] - m) * inv * w[j] + b[j] }
            }
        }
        return out
    }
}
