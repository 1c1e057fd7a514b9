import SeededRandom
import TensorCore

/// A lookup table of `count` vectors of length `dimension` (PyTorch `nn.Embedding`).
///
/// - `weight`: `[count, dimension]`, initialised N(0, 1) as PyTorch.
/// - Indices `[n]` → `[n, dimension]`; the backward scatter-adds into the rows used.
public final class Embedding: Module {
    public let count: Int
    public let dimension: Int
    public let weight: Parameter

    public init(count: Int, dimension: Int, generator: inout SeededGenerator) {
        precondition(count > 0 && dimension > 0, "Embedding: sizes must be positive, got \(count) × \(dimension)")
        self.count = count
        self.dimension = dimension
        weight = Parameter(Tensor(shape: [count, dimension], normalMean: 0, std: 1, generator: &generator))
    }

    public func namedParameters() -> [(String, Parameter)] { [("weight", weight)] }

    /// Differentiable lookup.
    public func callAsFunction(_ indices: [Int], tape: Tape) -> Variable {
        tape.variable(weight).gatherRows(indices)
    }

    /// Inference lookup.
    public func callAsFunction(_ indices: [Int]) -> Tensor { weight.value.gatherRows(indices) }
}
