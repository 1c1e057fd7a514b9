import CKernels

/// The element-wise functions of TensorCore, each with its forward formula
/// and derivative evaluated by the vectorised C kernels in
/// `CKernels/elementwise.c` (polynomial exp/log/erfc, so loops vectorise).
///
/// | case | f(x) | f'(x) |
/// |---|---|---|
/// | `negate` | −x | −1 |
/// | `exp` | eˣ | eˣ |
/// | `log` | ln x | 1/x |
/// | `tanh` | tanh x | 1 − tanh² x |
/// | `sigmoid` | σ(x) = 1/(1+e⁻ˣ) | σ(1−σ) |
/// | `relu` | max(x, 0) | [x > 0] |
/// | `leakyRelu(slope)` | x > 0 ? x : slope·x | 1 or slope |
/// | `silu` | x σ(x) (Hendrycks & Gimpel 2016; Elfwing et al. 2018) | σ(1 + x(1−σ)) |
/// | `geluErf` | x Φ(x) (exact GELU) | Φ(x) + x φ(x) |
/// | `geluTanh` | ½x(1 + tanh(√(2/π)(x + 0.044715x³))) | analytic |
/// | `softplus` | ln(1 + eˣ), x for x > 20 (torch threshold) | σ(x) |
/// | `square` | x² | 2x |
/// | `sqrt` | √x | 1/(2√x) |
/// | `clamp(lo, hi)` | min(max(x, lo), hi) | [lo ≤ x ≤ hi] (torch convention) |
public enum UnaryFunction: Sendable, Equatable {
    case negate, exp, log, tanh, sigmoid, relu, leakyRelu(slope: Float), silu, geluErf, geluTanh
    case softplus, square, sqrt, clamp(min: Float, max: Float)

    var kernel: (op: Int32, p0: Float, p1: Float) {
        switch self {
        case .negate: return (Int32(MBRL_NEG), 0, 0)
        case .exp: return (Int32(MBRL_EXP), 0, 0)
        case .log: return (Int32(MBRL_LOG), 0, 0)
        case .tanh: return (Int32(MBRL_TANH), 0, 0)
        case .sigmoid: return (Int32(MBRL_SIGMOID), 0, 0)
        case .relu: return (Int32(MBRL_RELU), 0, 0)
        case .leakyRelu(let s): return (Int32(MBRL_LEAKY_RELU), s, 0)
        case .silu: return (Int32(MBRL_SILU), 0, 0)
        case .geluErf: return (Int32(MBRL_GELU_ERF), 0, 0)
        case .geluTanh: return (Int32(MBRL_GELU_TANH), 0, 0)
        case .softplus: return (Int32(MBRL_SOFTPLUS), 0, 0)
        case .square: return (Int32(MBRL_SQUARE), 0, 0)
        case .sqrt: return (Int32(MBRL_SQRT), 0, 0)
        case .clamp(let lo, let hi): return (Int32(MBRL_CLAMP), lo, hi)
        }
    }
}

// MARK: - Tensor forward

extension Tensor {
    /// y = f(x) element-wise into a reused buffer (`out` may be `x` itself's copy; no allocation when the count matches).
    public static func apply(_ f: UnaryFunction, _ x: Tensor, into out: inout Tensor) {
        out.prepare(shape: x.shape)
        let k = f.kernel
        let n = x.count
        x.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in mbrl_unary(k.op, px.baseAddress, po.baseAddress, n, k.p0, k.p1) }
        }
    }

    /// Applies `f` in place.
    public mutating func apply(_ f: UnaryFunction) {
        let k = f.kernel
        let n = count
        withUnsafeMutableBufferPointer { p in mbrl_unary(k.op, p.baseAddress, p.baseAddress, n, k.p0, k.p1) }
    }

    /// f(self) element-wise.
    public func applying(_ f: UnaryFunction) -> Tensor {
        var out = Tensor(zeros: [0])
        Tensor.apply(f, self, into: &out)
        return out
    }

    public func negated() -> Tensor { applying(.negate) }
    public func exp() -> Tensor { applying(.exp) }
    public func log() -> Tensor { applying(.log) }
    public func tanh() -> Tensor { applying(.tanh) }
    public func sigmoid() -> Tensor { applying(.sigmoid) }
    public func relu() -> Tensor { applying(.relu) }
    public func leakyRelu(slope: Float = 0.01) -> Tensor { applying(.leakyRelu(slope: slope)) }
    public func silu() -> Tensor { applying(.silu) }
    /// GELU; `approximateTanh` selects torch's `approximate="tanh"` form.
    public func gelu(approximateTanh: Bool = false) -> Tensor { applying(approximateTanh ? .geluTanh : .geluErf) }
    public func softplus() -> Tensor { applying(.softplus) }
    public func squared() -> Tensor { applying(.square) }
    public func sqrt() -> Tensor { applying(.sqrt) }
    public func clamped(min lo: Float, max hi: Float) -> Tensor { applying(.clamp(min: lo, max: hi)) }
}

// MARK: - Variable: forward + backward

extension Variable {
    /// f(self) with the backward rule f'(x)·g from the same kernel family.
    public func applying(_ f: UnaryFunction) -> Variable {
        let x = value
        let y = x.applying(f)
        let k = f.kernel
        return tape.record(y, inputs: [self]) { g, _ in
            var gx = Tensor(uninitializedShape: x.shape)
            let n = x.count
            x.withUnsafeBufferPointer { px in
                y.withUnsafeBufferPointer { py in
                    g.withUnsafeBufferPointer { pg in
                        gx.withUnsafeMutableBufferPointer { pgx in
                            mbrl_unary_backward(k.op, px.baseAddress, py.baseAddress, pg.baseAddress, pgx.baseAddress, n, k.p0, k.p1)
                        }
                    }
                }
            }
            return [gx]
        }
    }

    public static prefix func - (a: Variable) -> Variable { a.applying(.negate) }
    public func exp() -> Variable { applying(.exp) }
    public func log() -> Variable { applying(.log) }
    public func tanh() -> Variable { applying(.tanh) }
    public func sigmoid() -> Variable { applying(.sigmoid) }
    public func relu() -> Variable { applying(.relu) }
    public func leakyRelu(slope: Float = 0.01) -> Variable { applying(.leakyRelu(slope: slope)) }
    public func silu() -> Variable { applying(.silu) }
    public func gelu(approximateTanh: Bool = false) -> Variable { applying(approximateTanh ? .geluTanh : .geluErf) }
    public func softplus() -> Variable { applying(.softplus) }
    public func squared() -> Variable { applying(.square) }
    public func sqrt() -> Variable { applying(.sqrt) }
    public func clamped(min lo: Float, max hi: Float) -> Variable { applying(.clamp(min: lo, max: hi)) }
}
