import Foundation
import NN
import SeededRandom
import TensorCore

/// A causal transformer sequence backbone (GPT-style decoder-only stack with
/// PyTorch `nn.TransformerEncoderLayer(norm_first=True)` layers and a causal mask):
///
///     h₀ = inp(x_t) + pos[p_t]                         inp: Linear(inputSize → d)
///     h_l = TransformerEncoderLayer_l(h_{l−1})         l = 1 … N  (pre-LN, GELU, causal)
///     feature_t = norm(h_N)                            final LayerNorm
///
/// Input `[B, T, inputSize]` (T ≤ context) → features `[B, T, d]`. Parameter
/// names follow peers/torch_bench.py's `TransformerModel` (`inp.*`, `pos`
/// `[1, context, d]`, `enc.layers.{l}.*`, `norm.*`); its `transformer_seq`
/// model is this backbone plus a Linear head.
///
/// **Positions** are relative to the latest episode start: p_t = t − start_t
/// where start_t is the last step ≤ t with `resetMask = 1` in the window (0
/// without one), so a window starting mid-episode counts from its first step
/// and an episode starting inside a window counts from 0 — as the recurrent
/// form counts from its initial state. Attention is cut at the same boundary.
///
/// **Recurrent form** (``step(_:state:)``): a key/value
/// cache per layer holding one window (``TransformerState``); a step takes the
/// window's next position, appends its keys and values and attends to the
/// window: O(layers · (d² + d·ff + context·d)) per row and step. Every feature
/// equals the parallel forward's last feature over the window's steps (to
/// float rounding), so the model only ever imagines over windows of at most
/// `context` steps, counted from 0 — the windows it is trained on when the
/// training windows are `context` steps long (a window starting mid-episode
/// counts from its first step). A full window is *re-anchored* before the next
/// step: its latest ⌊context / 2⌋ steps are re-encoded from position 0 and the
/// older ones dropped, so the state remembers between ⌊context / 2⌋ and
/// `context` steps; a re-anchor costs ⌊context / 2⌋ steps and happens at most
/// once per ⌈context / 2⌉ steps.
///
/// Costs (parallel, per window): 2·T·(in·d + N·(4d² + 2·d·ff)) + 4·N·T²·d flops
/// forward, about twice that backward.
public final class TransformerBackbone: SequenceBackbone {
    public let configuration: TransformerConfiguration
    public let input: Linear
    /// `[1, context, d]` learned positions, nil for sinusoidal ones.
    public let positions: Parameter?
    public let layers: [TransformerEncoderLayer]
    public let norm: LayerNorm
    /// Swift workers for the parallel form: attention (batches split across
    /// them), LayerNorm and GELU (rows split) and the dense layers' GEMMs
    /// (blocks split, see `Linear.fused`); in `step`, the cache attention (rows split). Pair it with OpenBLAS at one thread
    /// (`BLAS.setThreadCount(1)`) to avoid oversubscribing the cores.
    public var threads: Int = 1
    /// `[context, d]` fixed sinusoids, when configured.
    let sinusoids: Tensor?

    /// Throws ``TransformerConfigurationError`` for a bad configuration.
    public init(_ configuration: TransformerConfiguration, generator: inout SeededGenerator) throws {
        try configuration.validate()
        self.configuration = configuration
        let (d, ctx) = (configuration.modelSize, configuration.context)
        input = Linear(inputSize: configuration.inputSize, outputSize: d, generator: &generator)
        switch configuration.positionalEncoding {
        case .learned:
            positions = Parameter(Tensor(shape: [1, ctx, d], normalMean: 0, std: 0.02, generator: &generator))
            sinusoids = nil
        case .sinusoidal:
            positions = nil
            sinusoids = TransformerBackbone.sinusoidTable(context: ctx, size: d)
        }
        layers = (0..<configuration.layerCount).map { _ in
            TransformerEncoderLayer(modelSize: d, headCount: configuration.headCount, feedForwardSize: configuration.feedForwardSize,
                                    layerNormEpsilon: configuration.layerNormEpsilon, generator: &generator)
        }
        norm = LayerNorm(size: d, epsilon: configuration.layerNormEpsilon)
    }

    public var inputSize: Int { configuration.inputSize }
    public var featureSize: Int { configuration.modelSize }

    public func namedParameters() -> [(String, Parameter)] {
        var named = prefixed("inp", input)
        if let p = positions { named.append(("pos", p)) }
        for (l, layer) in layers.enumerated() { named += prefixed("enc.layers.\(l)", layer) }
        return named + prefixed("norm", norm)
    }

    /// PE[p, 2i] = sin(p·ω_i), PE[p, 2i+1] = cos(p·ω_i), ω_i = 10000^(−2i/d).
    static func sinusoidTable(context: Int, size d: Int) -> Tensor {
        var t = Tensor(zeros: [context, d])
        for p in 0..<context {
            for i in 0..<(d / 2) {
                let angle = Double(p) * Foundation.pow(10000, -Double(2 * i) / Double(d))
                t.scalars[p * d + 2 * i] = Float(Foundation.sin(angle))
                t.scalars[p * d + 2 * i + 1] = Float(Foundation.cos(angle))
            }
        }
        return t
    }

    /// Position index p_t = t − start_t of every step, `[B·T]`.
    static func positionIndices(starts: [Int32], batch: Int, time: Int) -> [Int] {
        (0..<(batch * time)).map { $0 % time - Int(starts[$0]) }
    }

    func checkWindow(_ shape: [Int]) {
        precondition(shape.count == 3 && shape[2] == inputSize && shape[1] >= 1 && shape[1] <= configuration.context,
                     "TransformerBackbone: input shape \(shape), expected [batch, time ≤ \(configuration.context), \(inputSize)]")
    }

    // MARK: - Parallel form

    public func callAsFunction(_ x: Variable, resetMask: Tensor?) -> Variable {
        checkWindow(x.shape)
        let (b, t, d) = (x.shape[0], x.shape[1], featureSize)
        let starts = CausalAttention.segmentStarts(resetMask: resetMask, batch: b, time: t)
        let tape = x.tape
        let table: Variable = positions.map { tape.variable($0).reshaped([configuration.context, d]) } ?? tape.constant(sinusoids!)
        var h = input.fused(x, threads: threads)
        if let starts = starts {
            h = h + table.gatherRows(TransformerBackbone.positionIndices(starts: starts, batch: b, time: t)).reshaped([b, t, d])
        } else {
            h = h + table.slice(axis: 0, 0..<t)
        }
        for layer in layers { h = layer(h, starts: starts, threads: threads) }
        return norm.fused(h, threads: threads)
    }

    /// Inference form of the parallel forward (no tape).
    public func callAsFunction(_ x: Tensor, resetMask: Tensor?) -> Tensor {
        checkWindow(x.shape)
        let (b, t, d) = (x.shape[0], x.shape[1], featureSize)
        let starts = CausalAttention.segmentStarts(resetMask: resetMask, batch: b, time: t)
        let table = positions.map { $0.value.reshaped([configuration.context, d]) } ?? sinusoids!
        var h = input(x)
        if let starts = starts {
            h.add(table.gatherRows(TransformerBackbone.positionIndices(starts: starts, batch: b, time: t)).reshaped([b, t, d]))
        } else {
            h.add(broadcasting: table.slice(axis: 0, 0..<t))
        }
        for layer in layers { h = layer(h, starts: starts, threads: threads) }
        return norm.fused(h)
    }

    // MARK: - Recurrent form

    public func initialState(batch: Int) -> TransformerState {
        let shape = [batch, configuration.context, featureSize]
        return TransformerState(keys: layers.map { _ in Tensor(zeros: shape) }, values: layers.map { _ in Tensor(zeros: shape) },
                                inputs: Tensor(zeros: [batch, configuration.context, inputSize]), cachedSteps: 0, stepCount: 0)
    }

    /// Steps a full window keeps when it is re-anchored: ⌊context / 2⌋.
    public var reanchoredSteps: Int { configuration.context / 2 }

    /// One step (imagined, or on real data through `observe`): re-anchors a full window to its
    /// latest ``reanchoredSteps`` steps first.
    public func step(_ x: Tensor, state: inout TransformerState) -> Tensor {
        checkStep(x, state)
        if state.cachedSteps == configuration.context { reanchor(&state, keeping: reanchoredSteps) }
        return advance(x, state: &state)
    }

    func checkStep(_ x: Tensor, _ state: TransformerState) {
        precondition(x.rank == 2 && x.shape[1] == inputSize, "TransformerBackbone.step: input shape \(x.shape), expected [rows, \(inputSize)]")
        precondition(state.keys.count == layers.count && state.rows == x.shape[0] && state.context == configuration.context,
                     "TransformerBackbone.step: state for \(state.rows) rows × \(state.keys.count) layers × \(state.context) steps, input has \(x.shape[0]) rows, model \(layers.count) layers × \(configuration.context) steps")
    }

    /// Appends `x` at position `cachedSteps` of the window (which must not be full).
    func advance(_ x: Tensor, state: inout TransformerState) -> Tensor {
        let ctx = configuration.context, d = featureSize, n = inputSize, position = state.cachedSteps
        let table = positions.map { $0.value.reshaped([ctx, d]) } ?? sinusoids!
        var h = input(x)
        h.add(broadcasting: table.slice(axis: 0, position..<(position + 1)))
        for (l, layer) in layers.enumerated() {
            h = layer.step(h, keys: &state.keys[l], values: &state.values[l], slot: position, length: position + 1, threads: threads)
        }
        x.withUnsafeBufferPointer { px in
            state.inputs.withUnsafeMutableBufferPointer { pi in
                for r in 0..<x.shape[0] { (pi.baseAddress! + (r * ctx + position) * n).update(from: px.baseAddress! + r * n, count: n) }
            }
        }
        state.cachedSteps += 1
        state.stepCount += 1
        return norm.fused(h)
    }

    /// Re-encodes the window's latest `keep` steps from position 0 (the older ones are dropped),
    /// so that the window is again one the parallel form is trained on. Cost: `keep` steps.
    func reanchor(_ state: inout TransformerState, keeping keep: Int) {
        let kept = state.inputs.slice(axis: 1, (state.cachedSteps - keep)..<state.cachedSteps)
        let total = state.stepCount - keep
        state = TransformerState(keys: state.keys, values: state.values, inputs: state.inputs, cachedSteps: 0, stepCount: total)
        for j in 0..<keep { _ = advance(kept.slice(axis: 1, j..<(j + 1)).reshaped([state.rows, inputSize]), state: &state) }
    }

    public func gatherRows(_ state: TransformerState, rows: [Int]) -> TransformerState {
        TransformerState(keys: state.keys.map { $0.gatherRows(rows) }, values: state.values.map { $0.gatherRows(rows) },
                         inputs: state.inputs.gatherRows(rows), cachedSteps: state.cachedSteps, stepCount: state.stepCount)
    }
}
