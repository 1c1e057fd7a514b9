import NN
import SeededRandom

/// The S4WM sequence backbone (Deng, Park & Ahn 2023, "Facing Off World Model
/// Backbones: RNNs, Transformers, and S4"), as `torch_bench.S4DModel` without
/// its head: `inp` = Linear(input → d_model), `blocks.{i}` = ``S4WMBlock``
/// (x + Linear(GELU(S4D(LayerNorm(x))))), final `norm` = LayerNorm(d_model).
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
public final class S4WMBackbone: SequenceBackbone {
    /// Per-block S4D states.
    public struct State {
        /// `[rows, d, N]` (real) or `[rows, d, N, 2]` (complex) per block.
        public var ssm: [Tensor]
        public init(ssm: [Tensor]) { self.ssm = ssm }
    }
    public typealias RecurrentState = State

    public let inputSize: Int
    public let modelSize: Int
    public let inputProjection: Linear
    public let blocks: [S4WMBlock]
    public let norm: LayerNorm
    public var featureSize: Int { modelSize }

    /// - Parameters: `dtMin`, `dtMax`: every S4D layer's step-size init range, Δ ~ logU(dtMin, dtMax)
    ///   (the S4D defaults 1e-3, 1e-1). Channel n of S4D-Real keeps exp(−Δ(n+1)) of its state per step,
    ///   so the slowest channels remember ~1/Δ steps at init.
    public init(inputSize: Int, modelSize: Int = 128, layers: Int = 2, stateSize: Int = 64, mode: S4DLayer.Mode = .real,
                dtMin: Float = 1e-3, dtMax: Float = 1e-1, generator: inout SeededGenerator) {
        precondition(inputSize > 0 && modelSize > 0 && layers > 0 && stateSize > 0,
                     "S4WMBackbone: sizes must be positive, got input \(inputSize), d_model \(modelSize), layers \(layers), N \(stateSize)")
        self.inputSize = inputSize
        self.modelSize = modelSize
        inputProjection = Linear(inputSize: inputSize, outputSize: modelSize, generator: &generator)
        var b = [S4WMBlock]()
        for _ in 0..<layers { b.append(S4WMBlock(modelSize: modelSize, stateSize: stateSize, mode: mode, dtMin: dtMin, dtMax: dtMax,
                                                  generator: &generator)) }
        blocks = b
        norm = LayerNorm(size: modelSize)
    }

    public func namedParameters() -> [(String, Parameter)] {
        prefixed("inp", inputProjection) + blocks.enumerated().flatMap { prefixed("blocks.\($0.offset)", $0.element) }
            + prefixed("norm", norm)
    }

    public func callAsFunction(_ input: Variable, resetMask: Tensor?) -> Variable {
        precondition(input.rank == 3 && input.shape[2] == inputSize,
                     "S4WMBackbone: input shape \(input.shape), expected [batch, time, \(inputSize)]")
        if let m = resetMask {
            precondition(m.shape == [input.shape[0], input.shape[1]],
                         "S4WMBackbone: reset mask shape \(m.shape), expected \([input.shape[0], input.shape[1]])")
        }
        var h = inputProjection.fused(input)
        for block in blocks { h = block(h, resetMask: resetMask) }
        return norm.fused(h)
    }

    public func initialState(batch: Int) -> State {
        State(ssm: blocks.map { Tensor(zeros: [batch] + $0.ssm.stateShape) })
    }

    public func step(_ input: Tensor, state: inout State) -> Tensor {
        precondition(input.rank == 2 && input.shape[1] == inputSize,
                     "S4WMBackbone.step: input shape \(input.shape), expected [rows, \(inputSize)]")
        precondition(state.ssm.count == blocks.count, "S4WMBackbone.step: state has \(state.ssm.count) blocks, expected \(blocks.count)")
        var h = inputProjection(input)
        for (i, block) in blocks.enumerated() { h = block.step(h, state: &state.ssm[i]) }
        return norm(h)
    }

    public func gatherRows(_ state: State, rows: [Int]) -> State {
        State(ssm: state.ssm.map { $0.gatherRows(rows) })
    }
}
