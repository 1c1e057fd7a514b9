import SeededRandom
import TensorCore

/// A gated recurrent unit cell (Cho et al. 2014) with PyTorch's `nn.GRUCell` conventions:
///
///     r  = σ(W_ir x + b_ir + W_hr h + b_hr)
///     z  = σ(W_iz x + b_iz + W_hz h + b_hz)
///     n  = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))      ← reset gate on W_hn h + b_hn
///     h' = (1 − z) ⊙ n + z ⊙ h
///
/// - `weight_ih`: `[3·hiddenSize, inputSize]`, `weight_hh`: `[3·hiddenSize, hiddenSize]`,
///   `bias_ih`, `bias_hh`: `[3·hiddenSize]`, gate rows stacked in the order r, z, n.
/// - Init (PyTorch): every parameter U(±1/√hiddenSize).
/// - Input `[batch, inputSize]`, state `[batch, hiddenSize]` → new state `[batch, hiddenSize]`.
/// - Cost per step: 2·batch·3H·(in + H) flops for the two GEMMs plus O(batch·H) element-wise.
public final class GRUCell: Module {
    public let inputSize: Int
    public let hiddenSize: Int
    public let weightIH: Parameter
    public let weightHH: Parameter
    public let biasIH: Parameter
    public let biasHH: Parameter

    public init(inputSize: Int, hiddenSize: Int, generator: inout SeededGenerator) {
        precondition(inputSize > 0 && hiddenSize > 0, "GRUCell: sizes must be positive, got \(inputSize) → \(hiddenSize)")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        let bound = 1 / Float(hiddenSize).squareRoot()
        weightIH = Parameter(uniformInit([3 * hiddenSize, inputSize], bound: bound, &generator))
        weightHH = Parameter(uniformInit([3 * hiddenSize, hiddenSize], bound: bound, &generator))
        biasIH = Parameter(uniformInit([3 * hiddenSize], bound: bound, &generator))
        biasHH = Parameter(uniformInit([3 * hiddenSize], bound: bound, &generator))
    }

    public func namedParameters() -> [(String, Parameter)] {
        [("weight_ih", weightIH), ("weight_hh", weightHH), ("bias_ih", biasIH), ("bias_hh", biasHH)]
    }

    /// The all-zero state for `batchSize` sequences.
    public func zeroState(batchSize: Int) -> Tensor { Tensor(zeros: [batchSize, hiddenSize]) }

    /// One differentiable step.
    public func callAsFunction(_ x: Variable, state h: Variable) -> Variable {
        precondition(x.rank == 2 && x.shape[1] == inputSize, "GRUCell: input shape \(x.shape), expected [batch, \(inputSize)]")
        precondition(h.shape == [x.shape[0], hiddenSize], "GRUCell: state shape \(h.shape), expected [\(x.shape[0]), \(hiddenSize)]")
        let tape = x.tape
        let gi = Variable.matmul(x, tape.variable(weightIH), transposeB: true) + tape.variable(biasIH)
        let gh = Variable.matmul(h, tape.variable(weightHH), transposeB: true) + tape.variable(biasHH)
        let H = hiddenSize
        let i = gi.split(sizes: [H, H, H], axis: 1), g = gh.split(sizes: [H, H, H], axis: 1)
        let r = (i[0] + g[0]).sigmoid()
        let z = (i[1] + g[1]).sigmoid()
        let n = (i[2] + r * g[2]).tanh()
        return n + z * (h - n)
    }

    /// Unrolls over a batch-first sequence `[batch, time, inputSize]`, returning every state
    /// `[batch, time, hiddenSize]` (the last is the final state), as `nn.GRU(batch_first=True)`.
    public func sequence(_ x: Variable, initialState h0: Variable) -> Variable {
        precondition(x.rank == 3, "GRUCell.sequence: input shape \(x.shape), expected [batch, time, \(inputSize)]")
        let (b, t) = (x.shape[0], x.shape[1])
        var h = h0
        var states: [Variable] = []
        for step in 0..<t {
            h = self(x.slice(axis: 1, step..<(step + 1)).reshaped([b, inputSize]), state: h)
            states.append(h.reshaped([b, 1, hiddenSize]))
        }
        return Variable.concatenate(states, axis: 1)
    }

    /// One inference step without a tape (same equations, Tensor ops; allocates its temporaries).
    public func callAsFunction(_ x: Tensor, state h: Tensor) -> Tensor {
        precondition(x.rank == 2 && x.shape[1] == inputSize, "GRUCell: input shape \(x.shape), expected [batch, \(inputSize)]")
        precondition(h.shape == [x.shape[0], hiddenSize], "GRUCell: state shape \(h.shape), expected [\(x.shape[0]), \(hiddenSize)]")
        var gi = Tensor.matmul(x, weightIH.value, transposeB: true)
        gi.add(broadcasting: biasIH.value)
        var gh = Tensor.matmul(h, weightHH.value, transposeB: true)
        gh.add(broadcasting: biasHH.value)
        let H = hiddenSize
        let i = gi.split(sizes: [H, H, H], axis: 1), g = gh.split(sizes: [H, H, H], axis: 1)
        let r = (i[0] + g[0]).sigmoid()
        let z = (i[1] + g[1]).sigmoid()
        let n = (i[2] + r * g[2]).tanh()
        return n + z * (h - n)
    }
}
