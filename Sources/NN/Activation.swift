import TensorCore

/// A pointwise nonlinearity chosen by configuration (`Codable` by name).
/// Each case maps to a TensorCore ``UnaryFunction`` (see its table for formulas).
public enum Activation: String, Codable, Sendable, CaseIterable {
    case identity, relu, leakyRelu, tanh, sigmoid, silu, gelu, geluTanh, softplus

    /// The kernel function, nil for identity. Leaky ReLU uses torch's default slope 0.01.
    public var function: UnaryFunction? {
        switch self {
        case .identity: return nil
        case .relu: return .relu
        case .leakyRelu: return .leakyRelu(slope: 0.01)
        case .tanh: return .tanh
        case .sigmoid: return .sigmoid
        case .silu: return .silu
        case .gelu: return .geluErf
        case .geluTanh: return .geluTanh
        case .softplus: return .softplus
        }
    }

    /// Applies the activation on the tape.
    public func callAsFunction(_ x: Variable) -> Variable { function.map { x.applying($0) } ?? x }
    /// Applies the activation without a tape.
    public func callAsFunction(_ x: Tensor) -> Tensor { function.map { x.applying($0) } ?? x }
    /// Applies the activation in place (inference buffers).
    public func apply(inPlace x: inout Tensor) { if let f = function { x.apply(f) } }
}
