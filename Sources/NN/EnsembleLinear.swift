import SeededRandom
import TensorCore

/// `members` independent linear layers evaluated as one batched product
/// (PETS, Chua et al. 2018; mbrl-lib's `EnsembleLinearLayer`):
/// `y[e] = x[e] · W[e] + b[e]`.
///
/// - `weight`: `[members, inputSize, outputSize]` (note: `x @ W`, not PyTorch Linear's `Wᵀ`),
///   `bias`: `[members, 1, outputSize]` — the layout of `peers/torch_bench.py`'s `EnsembleLinear`.
/// - Input `[members, batch, inputSize]` → `[members, batch, outputSize]`; one sgemm per member.
/// - Init (as torch_bench): W ~ U(±1/√in), b = 0.
public final class EnsembleLinear: Module {
    public let members: Int
    public let inputSize: Int
    public let outputSize: Int
    public let weight: Parameter
    public let bias: Parameter

    public init(members: Int, inputSize: Int, outputSize: Int, generator: inout SeededGenerator) {
        precondition(members > 0 && inputSize > 0 && outputSize > 0,
                     "EnsembleLinear: sizes must be positive, got \(members) × \(inputSize) → \(outputSize)")
        self.members = members
        self.inputSize = inputSize
        self.outputSize = outputSize
        weight = Parameter(uniformInit([members, inputSize, outputSize], bound: 1 / Float(inputSize).squareRoot(), &generator))
        bias = Parameter(Tensor(zeros: [members, 1, outputSize]))
    }

    public func namedParameters() -> [(String, Parameter)] { [("weight", weight), ("bias", bias)] }

    private func check(_ shape: [Int]) {
        precondition(shape.count == 3 && shape[0] == members && shape[2] == inputSize,
                     "EnsembleLinear: input shape \(shape), expected [\(members), batch, \(inputSize)]")
    }

    /// Differentiable forward.
    public func callAsFunction(_ x: Variable) -> Variable {
        check(x.shape)
        return Variable.matmul(x, x.tape.variable(weight)) + x.tape.variable(bias)
    }

    /// Inference forward (no tape).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var out = Tensor(zeros: [0])
        forward(x, into: &out)
        return out
    }

    /// Inference forward into a reused buffer.
    public func forward(_ x: Tensor, into out: inout Tensor) {
        check(x.shape)
        Tensor.matmul(x, weight.value, into: &out)
        out.add(broadcasting: bias.value)
    }
}
