import NN
import SeededRandom
import TensorCore

/// A Mamba sequence backbone (Gu & Dao 2023) as `torch_bench.MambaModel`
/// without its head, a ``ResidualBlockStack`` of `inp` = Linear(input → d_model), `blocks.{i}` =
/// ``MambaBlock`` (pre-norm residual, selective scan), final `norm` =
/// LayerNorm(d_model). Features are the normalised block outputs
/// (`featureSize = modelSize`).
///
/// Parallel form: GEMMs over all B·T rows plus one conv and one scan tape op per
/// block; `resetMask[b, t] = 1` restarts the conv window and the SSM state at t
/// (the block is otherwise per-step, so nothing crosses a reset).
/// Recurrent form: `step` is O(1) per step — per block a conv window
/// [rows, d_inner, d_conv−1] and an SSM state [rows, d_inner, d_state].
/// Parameter count: in·d + d + L·(2d + 2·d_inner·d + d_inner·(d_conv + 1) +
/// d_inner·(dt_rank + 2·d_state) + (dt_rank + 1)·d_inner + d_inner·(d_state + 1) + d·d_inner) + 2d.
public final class MambaBackbone: ResidualStackBackbone {
    /// Per-block recurrent state.
    public struct State {
        /// `[rows, d_inner, d_conv − 1]` per block: the last inputs of the conv, oldest first.
        public var conv: [Tensor]
        /// `[rows, d_inner, d_state]` per block.
        public var ssm: [Tensor]
        public init(conv: [Tensor], ssm: [Tensor]) { (self.conv, self.ssm) = (conv, ssm) }
    }
    public typealias RecurrentState = State

    public let stack: ResidualBlockStack<MambaBlock>

    /// - Parameters: `dtRank` nil = ⌈d_model / 16⌉ (as torch_bench and the Mamba reference);
    ///   `dtInitRange` nil = torch_bench's Δ init (memory of a few steps), a range = the Mamba
    ///   reference's log-uniform Δ init, e.g. 1e-3...1e-1; `stateDecayInit` nil = A_n = −(n+1)
    ///   (S4D-Real), a value a = every A = −a (see ``MambaBlock``).
    public init(inputSize: Int, modelSize: Int = 128, layers: Int = 2, stateSize: Int = 16, expand: Int = 2,
                convSize: Int = 4, dtRank: Int? = nil, dtInitRange: ClosedRange<Float>? = nil,
                stateDecayInit: Float? = nil, generator: inout SeededGenerator) {
        stack = ResidualBlockStack(owner: "MambaBackbone", inputSize: inputSize, modelSize: modelSize, layers: layers,
                                   generator: &generator) { g in
            MambaBlock(modelSize: modelSize, stateSize: stateSize, expand: expand, convSize: convSize, dtRank: dtRank,
                       dtInitRange: dtInitRange, stateDecayInit: stateDecayInit, generator: &g)
        }
    }

    public func initialState(batch: Int) -> State {
        State(conv: blocks.map { Tensor(zeros: [batch, $0.innerSize, $0.convSize - 1]) },
              ssm: blocks.map { Tensor(zeros: [batch, $0.innerSize, $0.stateSize]) })
    }

    public func step(_ input: Tensor, state: inout State) -> Tensor {
        let rows = input.shape[0]
        precondition(state.ssm.count == blocks.count && state.conv.count == blocks.count
                     && state.ssm.allSatisfy { $0.shape.first == rows } && state.conv.allSatisfy { $0.shape.first == rows },
                     "MambaBackbone.step: state does not hold \(blocks.count) blocks of \(rows) rows")
        return stack.step(input) { i, h in blocks[i].step(h, conv: &state.conv[i], ssm: &state.ssm[i]) }
    }

    public func gatherRows(_ state: State, rows: [Int]) -> State {
        State(conv: state.conv.map { $0.gatherRows(rows) }, ssm: state.ssm.map { $0.gatherRows(rows) })
    }
}
