import SeededRandom
import TensorCore

/// A fully connected layer `y = x Wᵀ + b` (PyTorch `nn.Linear`).
///
/// - `weight`: `[outputSize, inputSize]` (PyTorch layout; the product uses
///   BLAS's transpose flag, no copy), `bias`: `[outputSize]`.
/// - Input `[..., inputSize]` → output `[..., outputSize]`.
/// - Init (PyTorch default): `kaiming_uniform_(a=√5)` gives W ~ U(±1/√in)
///   (gain √(2/(1+5)), bound √3·gain/√in); b ~ U(±1/√in).
/// - Cost: 2·rows·in·out flops forward; twice that backward.
public final class Linear: Module {
    public let inputSize: Int
    public let outputSize: Int
    public let weight: Parameter
    public let bias: Parameter?

    public init(inputSize: Int, outputSize: Int, bias: Bool = true, generator: inout SeededGenerator) {
        precondition(inputSize > 0 && outputSize > 0, "Linear: sizes must be positive, got \(inputSize) → \(outputSize)")
        self.inputSize = inputSize
        self.outputSize = outputSize
        let bound = 1 / Float(inputSize).squareRoot()
        weight = Parameter(uniformInit([outputSize, inputSize], bound: bound, &generator))
        self.bias = bias ? Parameter(uniformInit([outputSize], bound: bound, &generator)) : nil
    }

    public func namedParameters() -> [(String, Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Differentiable forward.
    public func callAsFunction(_ x: Variable) -> Variable {
        precondition(x.shape.last == inputSize, "Linear: input shape \(x.shape), expected [..., \(inputSize)]")
        let tape = x.tape
        let y = Variable.matmul(x, tape.variable(weight), transposeB: true)
        return bias.map { y + tape.variable($0) } ?? y
    }

    /// Inference forward (no tape).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var out = Tensor(zeros: [0])
        forward(x, into: &out)
        return out
    }

    /// Inference forward into a reused buffer: one GEMM plus an in-place bias add, no allocation
    /// when `out.count` already matches.
    public func forward(_ x: Tensor, into out: inout Tensor) {
        precondition(x.shape.last == inputSize, "Linear: input shape \(x.shape), expected [..., \(inputSize)]")
        Tensor.matmul(x, weight.value, transposeB: true, into: &out)
        if let b = bias { out.add(broadcasting: b.value) }
    }
}
