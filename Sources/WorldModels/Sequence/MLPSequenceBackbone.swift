import NN
import SeededRandom
import TensorCore

/// The memoryless baseline backbone: the same MLP applied to every step on its
/// own, `feature_t = φ(MLP(x_t))`, so nothing from earlier steps reaches step
/// t. A sequence world model built on it is a one-step (Markov) model trained
/// by the sequence trainer; it cannot solve tasks that need memory (the
/// T-maze probe, `TMazeMemoryProbe`), which is what it is for.
///
/// - `layers` Linear layers of width `hiddenSize`, each followed by
///   `activation` (the last one too: features are post-activation).
/// - Input `[batch, time, inputSize]` → `[batch, time, hiddenSize]`; `resetMask`
///   is irrelevant (no state) and ignored.
/// - Recurrent state: only the row count (`MemorylessState`).
/// - Cost per step: 2·rows·(in·H + (layers − 1)·H²) flops.
public final class MLPSequenceBackbone: SequenceBackbone {
    /// The (empty) state of a memoryless backbone: how many rows it has.
    public struct MemorylessState: Sendable, Equatable {
        public var rows: Int
    }
    public typealias RecurrentState = MemorylessState

    public let network: MLP
    public let inputSize: Int
    public let hiddenSize: Int

    public var featureSize: Int { hiddenSize }

    public init(inputSize: Int, hiddenSize: Int, layers: Int = 2, activation: Activation = .silu,
                generator: inout SeededGenerator) {
        precondition(layers >= 1, "MLPSequenceBackbone: layers must be >= 1, got \(layers)")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        network = MLP(inputSize: inputSize, hiddenSizes: [Int](repeating: hiddenSize, count: layers - 1),
                      outputSize: hiddenSize, activation: activation, outputActivation: activation, generator: &generator)
    }

    public func namedParameters() -> [(String, Parameter)] { prefixed("network", network) }

    public func callAsFunction(_ input: Variable, resetMask: Tensor?) -> Variable {
        precondition(input.rank == 3 && input.shape[2] == inputSize,
                     "MLPSequenceBackbone: input shape \(input.shape), expected [batch, time, \(inputSize)]")
        let (b, t) = (input.shape[0], input.shape[1])
        return network(input.reshaped([b * t, inputSize])).reshaped([b, t, hiddenSize])
    }

    public func initialState(batch: Int) -> MemorylessState { MemorylessState(rows: batch) }

    public func step(_ input: Tensor, state: inout MemorylessState) -> Tensor {
        state.rows = input.shape[0]
        return network(input)
    }

    public func gatherRows(_ state: MemorylessState, rows: [Int]) -> MemorylessState { MemorylessState(rows: rows.count) }
}
