import NN
import SeededRandom
import TensorCore

/// The S4WM sequence backbone (Deng, Park & Ahn 2023, "Facing Off World Model
/// Backbones: RNNs, Transformers, and S4"), as `torch_bench.S4DModel` without
/// its head: a ``ResidualBlockStack`` of `inp` = Linear(input → d_model),
/// `blocks.{i}` = ``S4WMBlock`` (x + Linear(GELU(S4D(LayerNorm(x))))), final
/// `norm` = LayerNorm(d_model).
/// The S4D layers are S4D-Real (A_n = −(n+1)) or complex S4D-Lin
/// (``S4DLayer/Mode``). Features are the normalised block outputs
/// (`featureSize = modelSize`).
///
/// Parallel form: GEMMs over all B·T rows and one S4D tape op per block (kernel
/// generation + direct causal convolution); `resetMask[b, t] = 1` cuts the
/// convolution at t (everything else is per-step, so nothing crosses a reset).
/// Recurrent form: `step` is O(d_model·N) per row and block, state [rows, d, N]
/// (real) or [rows, d, N, 2] (complex) per block.
/// Parameter count (real): in·d + d + L·(2d + 3·d·N + 2d + d² + d) + 2d.
public final class S4WMBackbone: ResidualStackBackbone {
    /// Per-block S4D states.
    public struct State {
        /// `[rows, d, N]` (real) or `[rows, d, N, 2]` (complex) per block.
        public var ssm: [Tensor]
        public init(ssm: [Tensor]) { self.ssm = ssm }
    }
    public typealias RecurrentState = State

    public let stack: ResidualBlockStack<S4WMBlock>
    /// Swift workers for the parallel form (input projection, every block's LayerNorm, GELU and
    /// output projection, the final norm); pair with OpenBLAS at one thread (`BLAS.setThreadCount(1)`).
    public var threads: Int = 1 {
        didSet { for block in blocks { block.threads = threads } }
    }

    /// - Parameters: `dtMin`, `dtMax`: every S4D layer's step-size init range, Δ ~ logU(dtMin, dtMax)
    ///   (the S4D defaults 1e-3, 1e-1). Channel n of S4D-Real keeps exp(−Δ(n+1)) of its state per step,
    ///   so the slowest channels remember ~1/Δ steps at init.
    public init(inputSize: Int, modelSize: Int = 128, layers: Int = 2, stateSize: Int = 64, mode: S4DLayer.Mode = .real,
                dtMin: Float = 1e-3, dtMax: Float = 1e-1, generator: inout SeededGenerator) {
        precondition(stateSize > 0, "S4WMBackbone: state size N must be positive, got \(stateSize)")
        stack = ResidualBlockStack(owner: "S4WMBackbone", inputSize: inputSize, modelSize: modelSize, layers: layers,
                                   generator: &generator) { g in
            S4WMBlock(modelSize: modelSize, stateSize: stateSize, mode: mode, dtMin: dtMin, dtMax: dtMax, generator: &g)
        }
    }

    public func callAsFunction(_ input: Variable, resetMask: Tensor?) -> Variable {
        stack(input, resetMask: resetMask, threads: threads)
    }

    public func initialState(batch: Int) -> State {
        State(ssm: blocks.map { Tensor(zeros: [batch] + $0.ssm.stateShape) })
    }

    public func step(_ input: Tensor, state: inout State) -> Tensor {
        precondition(state.ssm.count == blocks.count, "S4WMBackbone.step: state has \(state.ssm.count) blocks, expected \(blocks.count)")
        return stack.step(input) { i, h in blocks[i].step(h, state: &state.ssm[i]) }
    }

    public func gatherRows(_ state: State, rows: [Int]) -> State {
        State(ssm: state.ssm.map { $0.gatherRows(rows) })
    }
}
