import CBLAS
import CKernels
import Dispatch
import NN
import SeededRandom
import TensorCore

/// A multi-layer GRU sequence backbone with PyTorch's `nn.GRU(batch_first=True)`
/// conventions and a fused, hand-differentiated sequence pass.
///
/// Layer l maps its input x_t (the window's input for l = 0, layer l−1's
/// state otherwise) and its previous state h_{t−1} to
///
///     r  = σ(W_ir x + b_ir + W_hr h + b_hr)
///     z  = σ(W_iz x + b_iz + W_hz h + b_hz)
///     n  = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
///     h' = (1 − z) ⊙ n + z ⊙ h
///
/// with gate rows stacked r, z, n; parameters `weight_ih_l{l}` `[3H, in_l]`,
/// `weight_hh_l{l}` `[3H, H]`, `bias_ih_l{l}`, `bias_hh_l{l}` `[3H]`, all
/// initialised U(±1/√H) as PyTorch, plus `updateGateBias` added to every
/// layer's update-gate input bias b_iz. With z ≈ σ(bias) the state keeps a
/// fraction z per step (h' = (1 − z) n + z h), so a positive bias (2: z ≈ 0.88;
/// 6 for the T-maze memory probe) lets information and gradients survive tens
/// of steps at initialisation (the forget-gate bias of Jozefowicz et al. 2015;
/// chrono initialisation, Tallec & Ollivier 2018); 0 is PyTorch's init.
/// This is `model.backbone: gru`. Features are the last layer's states
/// (`featureSize = hiddenSize`). Every window starts from the zero state, and
/// `resetMask[b, t] = 1` zeroes the state before step t (no gradient crosses it).
///
/// Parallel form: each layer is one tape op whose forward runs the input
/// projections of all steps as one GEMM, the recurrent GEMM per step, and the
/// gate math in one C pass (``GRUSequenceWorkspace``); its backward is a
/// hand-written BPTT whose weight gradients are single GEMMs over all steps.
/// Rows are split over `threads` workers (OpenBLAS at one thread).
/// Recurrent form: `step` runs one step per layer on Tensors, no tape.
///
/// Cost per window: 2·B·T·3H·(in + H) flops per layer forward, ×3 with backward.
/// Not thread-safe: a backbone reuses its workspaces between calls.
public final class GRUBackbone: SequenceBackbone {
    /// Per-row hidden states of every layer.
    public struct State {
        /// `[layers, rows, hiddenSize]`.
        public var hidden: Tensor
        public init(hidden: Tensor) { self.hidden = hidden }
    }
    public typealias RecurrentState = State

    public let inputSize: Int
    public let hiddenSize: Int
    public let layerCount: Int
    /// Worker threads for the fused passes (batch rows are split between them).
    public var threads: Int
    /// `weight_ih_l{l}`, `weight_hh_l{l}`, `bias_ih_l{l}`, `bias_hh_l{l}` for each layer.
    public let weightIH: [Parameter], weightHH: [Parameter], biasIH: [Parameter], biasHH: [Parameter]
    private var spareWorkspaces: [GRUSequenceWorkspace?]

    public var featureSize: Int { hiddenSize }

    /// - Parameters: `layers` ≥ 1 stacked GRUs; `threads` workers (use 1 for tiny batches);
    ///   `updateGateBias` added to each layer's b_iz after PyTorch's init.
    public init(inputSize: Int, hiddenSize: Int, layers: Int = 1, threads: Int = 1, updateGateBias: Float = 0,
                generator: inout SeededGenerator) {
        precondition(inputSize > 0 && hiddenSize > 0 && layers > 0,
                     "GRUBackbone: sizes must be positive, got input \(inputSize), hidden \(hiddenSize), layers \(layers)")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.layerCount = layers
        self.threads = max(1, threads)
        let bound = 1 / Float(hiddenSize).squareRoot()
        func u(_ shape: [Int]) -> Parameter { Parameter(Tensor(shape: shape, uniformLow: -bound, high: bound, generator: &generator)) }
        var (wi, wh, bi, bh) = ([Parameter](), [Parameter](), [Parameter](), [Parameter]())
        for l in 0..<layers {
            wi.append(u([3 * hiddenSize, l == 0 ? inputSize : hiddenSize]))
            wh.append(u([3 * hiddenSize, hiddenSize]))
            let biasIH = u([3 * hiddenSize])
            for i in hiddenSize..<(2 * hiddenSize) { biasIH.value.scalars[i] += updateGateBias }
            bi.append(biasIH)
            bh.append(u([3 * hiddenSize]))
        }
        (weightIH, weightHH, biasIH, biasHH) = (wi, wh, bi, bh)
        spareWorkspaces = Array(repeating: nil, count: layers)
    }

    public func namedParameters() -> [(String, Parameter)] {
        (0..<layerCount).flatMap { l in
            [("weight_ih_l\(l)", weightIH[l]), ("weight_hh_l\(l)", weightHH[l]),
             ("bias_ih_l\(l)", biasIH[l]), ("bias_hh_l\(l)", biasHH[l])]
        }
    }

    /// PyTorch's count: Σ_l 3H·(in_l + H) + 6H.
    public static func parameterCount(inputSize: Int, hiddenSize: Int, layers: Int) -> Int {
        (0..<layers).reduce(0) { $0 + 3 * hiddenSize * (($1 == 0 ? inputSize : hiddenSize) + hiddenSize) + 6 * hiddenSize }
    }

    // MARK: - Parallel form

    /// `[batch, time, inputSize]` → `[batch, time, hiddenSize]` (last layer's states).
    public func callAsFunction(_ input: Variable, resetMask: Tensor?) -> Variable {
        precondition(input.rank == 3 && input.shape[2] == inputSize,
                     "GRUBackbone: input shape \(input.shape), expected [batch, time, \(inputSize)]")
        precondition(input.shape[0] > 0 && input.shape[1] > 0, "GRUBackbone: empty window \(input.shape)")
        if let m = resetMask {
            precondition(m.shape == [input.shape[0], input.shape[1]],
                         "GRUBackbone: reset mask shape \(m.shape), expected \([input.shape[0], input.shape[1]])")
        }
        var x = input
        for l in 0..<layerCount { x = layer(l, x, resetMask: resetMask) }
        return x
    }

    private func workspace(_ l: Int, batch: Int, time: Int, inputSize n: Int) -> GRUSequenceWorkspace {
        if isKnownUniquelyReferenced(&spareWorkspaces[l]), let w = spareWorkspaces[l],
           w.fits(batch: batch, time: time, inputSize: n, hiddenSize: hiddenSize) {
            return w
        }
        let w = GRUSequenceWorkspace(batch: batch, time: time, inputSize: n, hiddenSize: hiddenSize)
        spareWorkspaces[l] = w
        return w
    }

    /// One layer as one tape op.
    private func layer(_ l: Int, _ x: Variable, resetMask: Tensor?) -> Variable {
        let (b, t, n, H) = (x.shape[0], x.shape[1], x.shape[2], hiddenSize)
        let tape = x.tape
        let params = [weightIH[l], weightHH[l], biasIH[l], biasHH[l]].map { tape.variable($0) }
        let ws = workspace(l, batch: b, time: t, inputSize: n)
        ws.setResets(resetMask)
        let xValue = x.value
        let (wIH, wHH, bIH, bHH) = (params[0].value, params[1].value, params[2].value, params[3].value)
        let parts = threads
        let shapes = [[b, t, n]] + params.map(\.shape)  // the closure must not capture Variables (they hold the tape)
        var h = Tensor(uninitializedShape: [b, t, H])
        withPointers([xValue, wIH, wHH, bIH, bHH]) { p in
            h.withUnsafeMutableBufferPointer { ph in
                ws.forward(x: p[0], wIH: p[1], wHH: p[2], bIH: p[3], bHH: p[4], h: ph.baseAddress!, parts: parts)
            }
        }
        return tape.record(h, inputs: [x] + params) { g, needed in
            func buffer(_ k: Int) -> Tensor? { needed[k] ? Tensor(uninitializedShape: shapes[k]) : nil }
            var (dx, dWIH, dWHH, dBIH, dBHH) = (buffer(0), buffer(1), buffer(2), buffer(3), buffer(4))
            withMutablePointer(&dx) { px in
                withMutablePointer(&dWIH) { pwi in
                    withMutablePointer(&dWHH) { pwh in
                        withMutablePointer(&dBIH) { pbi in
                            withMutablePointer(&dBHH) { pbh in
                                withPointers([g, xValue, wIH, wHH]) { p in
                                    ws.backward(dy: p[0], x: p[1], wIH: p[2], wHH: p[3], dx: px, dWIH: pwi, dWHH: pwh,
                                                dBIH: pbi, dBHH: pbh, parts: parts)
                                }
                            }
                        }
                    }
                }
            }
            let grads = [dx, dWIH, dWHH, dBIH, dBHH]
            return grads
        }
    }

    // MARK: - Recurrent form

    public func initialState(batch: Int) -> State { State(hidden: Tensor(zeros: [layerCount, batch, hiddenSize])) }

    /// One step of every layer: `[rows, inputSize]` → `[rows, hiddenSize]`; no tape.
    public func step(_ input: Tensor, state: inout State) -> Tensor {
        precondition(input.rank == 2 && input.shape[1] == inputSize, "GRUBackbone.step: input shape \(input.shape), expected [rows, \(inputSize)]")
        let rows = input.shape[0], H = hiddenSize
        precondition(state.hidden.shape == [layerCount, rows, H],
                     "GRUBackbone.step: state shape \(state.hidden.shape), expected \([layerCount, rows, H])")
        // state [L, rows, H] is updated in place layer by layer; rows are split over `threads` workers
        var hidden = state.hidden
        var x = input
        var gi = Tensor(uninitializedShape: [rows, 3 * H]), gh = Tensor(uninitializedShape: [rows, 3 * H])
        let parts = rows >= 64 ? threads : 1
        for l in 0..<layerCount {
            let n = x.shape[1]
            withPointers([x, weightIH[l].value, weightHH[l].value, biasIH[l].value, biasHH[l].value]) { p in
                gi.withUnsafeMutableBufferPointer { pgi in
                    gh.withUnsafeMutableBufferPointer { pgh in
                        hidden.withUnsafeMutableBufferPointer { ph in
                            let (gi, gh, hl) = (pgi.baseAddress!, pgh.baseAddress!, ph.baseAddress! + l * rows * H)
                            ParallelFor.chunks(count: rows, parts: parts) { _, r in
                                let (r0, m) = (r.lowerBound, Int32(r.count))
                                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, Int32(3 * H), Int32(n), 1,
                                            p[0] + r0 * n, Int32(n), p[1], Int32(n), 0, gi + r0 * 3 * H, Int32(3 * H))
                                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, Int32(3 * H), Int32(H), 1,
                                            hl + r0 * H, Int32(H), p[2], Int32(H), 0, gh + r0 * 3 * H, Int32(3 * H))
                                // h' overwrites h row by row: each row's h is read before it is written
                                mbrl_gru_forward_gates(r.count, H, gi + r0 * 3 * H, 3 * H, p[3], gh + r0 * 3 * H, 3 * H, p[4],
                                                       hl + r0 * H, H, hl + r0 * H, H, nil, 0)
                            }
                        }
                    }
                }
            }
            x = hidden.slice(axis: 0, l..<(l + 1)).reshaped([rows, H])
        }
        state.hidden = hidden
        return x
    }

    public func gatherRows(_ state: State, rows: [Int]) -> State {
        let (L, n, H) = (layerCount, state.hidden.shape[1], hiddenSize)
        for r in rows { precondition(r >= 0 && r < n, "GRUBackbone.gatherRows: row \(r) out of range 0..<\(n)") }
        var out = Tensor(uninitializedShape: [L, rows.count, H])
        state.hidden.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for l in 0..<L {
                    for (i, r) in rows.enumerated() {
                        (dst.baseAddress! + (l * rows.count + i) * H).update(from: src.baseAddress! + (l * n + r) * H, count: H)
                    }
                }
            }
        }
        return State(hidden: out)
    }
}

/// Calls `body` with base pointers of every tensor's storage (valid only inside `body`).
func withPointers<R>(_ tensors: [Tensor], _ body: ([UnsafePointer<Float>]) -> R) -> R {
    func go(_ k: Int, _ acc: [UnsafePointer<Float>]) -> R {
        if k == tensors.count { return body(acc) }
        return tensors[k].withUnsafeBufferPointer { go(k + 1, acc + [$0.baseAddress!]) }
    }
    return go(0, [])
}

/// Calls `body` with the base pointer of `tensor`'s storage, or nil when there is no tensor.
func withMutablePointer<R>(_ tensor: inout Tensor?, _ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
    if tensor == nil { return body(nil) }
    return tensor!.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
}
