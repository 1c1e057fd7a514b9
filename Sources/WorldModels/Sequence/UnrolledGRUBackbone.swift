import NN
import SeededRandom
import TensorCore

/// A reference GRU backbone: `layers` stacked `GRUCell`s (Cho et al. 2014,
/// PyTorch `nn.GRU` gate conventions) unrolled step by step on the tape.
///
/// It is the simple, obviously-correct GRU the sequence world-model core is
/// tested with; a fused GRU with a hand-written backward pass can replace it
/// (same `SequenceBackbone` contract, same parameters per cell).
///
/// - Input `[batch, time, inputSize]` → features `[batch, time, hiddenSize]`
///   (the top layer's hidden state after consuming step t).
/// - Reset: where `resetMask[b, t] = 1` every layer's state of window b is
///   zeroed before step t (`h ← h ⊙ (1 − reset_t)`), so no information crosses
///   an episode boundary.
/// - Recurrent state: one `[rows, hiddenSize]` tensor per layer.
/// - Init: PyTorch's (every parameter U(±1/√H)), plus `updateGateBias` added
///   to the update gate's input bias `b_iz`. With z ≈ σ(b) the state keeps a
///   fraction z per step (`h' = (1 − z) n + z h`), so a positive bias (e.g. 2:
///   z ≈ 0.88) lets information and gradients survive tens of steps at
///   initialisation (the forget-gate bias trick of Jozefowicz et al. 2015;
///   chrono initialisation, Tallec & Ollivier 2018). 0 is PyTorch's init.
/// - Cost per step: Σ_layers 2·rows·3H·(in_l + H) flops; the tape keeps
///   O(time · layers) nodes with their activations (BPTT memory O(B·T·H·layers)).
public final class UnrolledGRUBackbone: SequenceBackbone {
    public typealias RecurrentState = [Tensor]

    public let inputSize: Int
    public let hiddenSize: Int
    /// The stacked cells; cell l > 0 takes cell l − 1's state as input.
    public let cells: [GRUCell]

    public var featureSize: Int { hiddenSize }

    public init(inputSize: Int, hiddenSize: Int, layers: Int = 1, updateGateBias: Float = 0,
                generator: inout SeededGenerator) {
        precondition(layers >= 1, "UnrolledGRUBackbone: layers must be >= 1, got \(layers)")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        var cells: [GRUCell] = []
        for l in 0..<layers {
            let cell = GRUCell(inputSize: l == 0 ? inputSize : hiddenSize, hiddenSize: hiddenSize, generator: &generator)
            for i in hiddenSize..<(2 * hiddenSize) { cell.biasIH.value.scalars[i] += updateGateBias }
            cells.append(cell)
        }
        self.cells = cells
    }

    public func namedParameters() -> [(String, Parameter)] {
        cells.enumerated().flatMap { prefixed("cells.\($0.offset)", $0.element) }
    }

    public func callAsFunction(_ input: Variable, resetMask: Tensor?) -> Variable {
        precondition(input.rank == 3 && input.shape[2] == inputSize,
                     "UnrolledGRUBackbone: input shape \(input.shape), expected [batch, time, \(inputSize)]")
        let (b, t) = (input.shape[0], input.shape[1])
        if let mask = resetMask {
            precondition(mask.count == b * t, "UnrolledGRUBackbone: resetMask has \(mask.count) values, expected [\(b), \(t)]")
        }
        let tape = input.tape
        var states = cells.map { _ in tape.constant(Tensor(zeros: [b, hiddenSize])) }
        var outputs: [Variable] = []
        outputs.reserveCapacity(t)
        let steps = input.split(sizes: [Int](repeating: 1, count: t), axis: 1)
        for step in 0..<t {
            if let mask = resetMask, step > 0 {
                var keep = [Float](repeating: 1, count: b), any = false
                for row in 0..<b where mask.scalars[row * t + step] != 0 { keep[row] = 0; any = true }
                if any {
                    let k = Tensor(shape: [b, 1], scalars: keep)
                    states = states.map { $0 * k }
                }
            }
            var x = steps[step].reshaped([b, inputSize])
            for (l, cell) in cells.enumerated() {
                states[l] = cell(x, state: states[l])
                x = states[l]
            }
            outputs.append(x.reshaped([b, 1, hiddenSize]))
        }
        return Variable.concatenate(outputs, axis: 1)
    }

    public func initialState(batch: Int) -> [Tensor] {
        cells.map { $0.zeroState(batchSize: batch) }
    }

    public func step(_ input: Tensor, state: inout [Tensor]) -> Tensor {
        var x = input
        for (l, cell) in cells.enumerated() {
            state[l] = cell(x, state: state[l])
            x = state[l]
        }
        return x
    }

    public func gatherRows(_ state: [Tensor], rows: [Int]) -> [Tensor] {
        state.map { $0.gatherRows(rows) }
    }
}
