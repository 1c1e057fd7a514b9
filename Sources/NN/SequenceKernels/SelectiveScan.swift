import CKernels

/// The selective scan of Mamba (Gu & Dao 2023, "Mamba: Linear-Time Sequence
/// Modeling with Selective State Spaces", Algorithm 2) with a real diagonal A,
/// over contiguous batch-major Float buffers, with a hand-written backward and
/// an O(1)-per-step recurrent form for imagination.
///
/// For each batch element b, channel d < `channels` and state n < `stateSize`:
///
///     h_t[d,n] = exp(Δ_t[d] · A[d,n]) · h_{t-1}[d,n] + Δ_t[d] · u_t[d] · B_t[n]
///     y_t[d]   = Σ_n h_t[d,n] · C_t[n] + D[d] · u_t[d]
///
/// with h_{-1} = 0 or a given initial state. An optional `reset` mask [batch, length]
/// (non-zero = a new episode starts at t) zeroes the state before such steps, so
/// sequences that cross episode boundaries train as separate segments.
/// Shapes (row-major):
/// `u`, `delta`, `y`: [batch, length, channels] (Δ already positive, e.g. softplus'ed);
/// `A`: [channels, stateSize] (negative reals, = -exp(A_log)); `B`, `C`:
/// [batch, length, stateSize]; `D`: [channels]; states: [batch, channels, stateSize].
///
/// Cost: forward batch·length·channels·stateSize exp + 3 FMA (a vectorised
/// polynomial exp, the state kept in registers); backward ≈ 1.5× that (it
/// recomputes the forward, then runs the reverse scan). Memory:
/// the forward saves nothing; the backward recomputes the states of one
/// (batch, channel) pair at a time into a per-thread buffer of
/// (2·length + 1)·stateSize floats (8 KB at length 64, state 16), taken with the
/// per-chunk dA/dD partial sums from one allocation per backward call (nothing
/// is allocated per step). The batch is split over the cores when the call is
/// large enough.
/// Output buffers must not overlap any input (the C kernels are `restrict`);
/// gradients are overwritten, not accumulated.
public struct SelectiveScan: Sendable, Equatable {
    public let batch: Int
    public let length: Int
    public let channels: Int
    public let stateSize: Int

    /// Sizes of the scan; all must be positive.
    public init(batch: Int, length: Int, channels: Int, stateSize: Int) {
        precondition(batch > 0 && length > 0 && channels > 0 && stateSize > 0,
                     "SelectiveScan: sizes must be positive, got batch \(batch), length \(length), channels \(channels), stateSize \(stateSize)")
        self.batch = batch
        self.length = length
        self.channels = channels
        self.stateSize = stateSize
    }

    private var workPerItem: Int { length * channels * stateSize }

    /// Whole-sequence forward. Writes `y`; writes the state after the last step to
    /// `finalState` when given (to continue with `step`). `initialState` nil means
    /// zeros; `reset` nil means no segment boundaries.
    public func forward(u: UnsafeBufferPointer<Float>, delta: UnsafeBufferPointer<Float>,
                        A: UnsafeBufferPointer<Float>, B: UnsafeBufferPointer<Float>,
                        C: UnsafeBufferPointer<Float>, D: UnsafeBufferPointer<Float>?,
                        initialState: UnsafeBufferPointer<Float>? = nil,
                        reset: UnsafeBufferPointer<Float>? = nil,
                        y: UnsafeMutableBufferPointer<Float>,
                        finalState: UnsafeMutableBufferPointer<Float>? = nil) {
        checkSequenceInputs(u: u, delta: delta, A: A, B: B, C: C, D: D, initialState: initialState, reset: reset)
        checkKernelBuffer(y.count, [batch, length, channels], "y", "SelectiveScan.forward")
        if let finalState { checkKernelBuffer(finalState.count, [batch, channels, stateSize], "finalState", "SelectiveScan.forward") }
        let (L, Dm, N) = (length, channels, stateSize)
        let chunks = BatchParallel.chunkCount(batch: batch, workPerItem: workPerItem)
        ParallelFor.chunks(count: batch, parts: chunks) { _, r in
            let seq = r.lowerBound * L * Dm, bc = r.lowerBound * L * N, st = r.lowerBound * Dm * N
            mbrl_selective_scan_forward(
                u.kernelBase + seq, delta.kernelBase + seq, A.kernelBase, B.kernelBase + bc, C.kernelBase + bc,
                D?.kernelBase, initialState.map { $0.kernelBase + st }, reset.map { $0.kernelBase + r.lowerBound * L },
                y.kernelBase + seq,
                finalState.map { $0.kernelBase + st },
                Int32(r.count), Int32(L), Int32(Dm), Int32(N))
        }
    }

    /// Backward of `forward` (same `initialState` and `reset`) given `dy` (and `dFinalState`, the gradient reaching
    /// the final state, nil = 0). Overwrites every gradient buffer: `du`, `dDelta`
    /// [batch, length, channels], `dA` [channels, stateSize], `dB`, `dC`
    /// [batch, length, stateSize], `dD` [channels] (only when `D` is given) and
    /// `dInitialState` [batch, channels, stateSize] when given.
    public func backward(u: UnsafeBufferPointer<Float>, delta: UnsafeBufferPointer<Float>,
                         A: UnsafeBufferPointer<Float>, B: UnsafeBufferPointer<Float>,
                         C: UnsafeBufferPointer<Float>, D: UnsafeBufferPointer<Float>?,
                         initialState: UnsafeBufferPointer<Float>? = nil,
                         reset: UnsafeBufferPointer<Float>? = nil,
                         dy: UnsafeBufferPointer<Float>, dFinalState: UnsafeBufferPointer<Float>? = nil,
                         du: UnsafeMutableBufferPointer<Float>, dDelta: UnsafeMutableBufferPointer<Float>,
                         dA: UnsafeMutableBufferPointer<Float>, dB: UnsafeMutableBufferPointer<Float>,
                         dC: UnsafeMutableBufferPointer<Float>, dD: UnsafeMutableBufferPointer<Float>?,
                         dInitialState: UnsafeMutableBufferPointer<Float>? = nil) {
        let name = "SelectiveScan.backward"
        checkSequenceInputs(u: u, delta: delta, A: A, B: B, C: C, D: D, initialState: initialState, reset: reset)
        checkKernelBuffer(dy.count, [batch, length, channels], "dy", name)
        if let dFinalState { checkKernelBuffer(dFinalState.count, [batch, channels, stateSize], "dFinalState", name) }
        checkKernelBuffer(du.count, [batch, length, channels], "du", name)
        checkKernelBuffer(dDelta.count, [batch, length, channels], "dDelta", name)
        checkKernelBuffer(dA.count, [channels, stateSize], "dA", name)
        checkKernelBuffer(dB.count, [batch, length, stateSize], "dB", name)
        checkKernelBuffer(dC.count, [batch, length, stateSize], "dC", name)
        precondition((D == nil) == (dD == nil), "\(name): pass dD exactly when D is given")
        if let dD { checkKernelBuffer(dD.count, [channels], "dD", name) }
        if let dInitialState { checkKernelBuffer(dInitialState.count, [batch, channels, stateSize], "dInitialState", name) }

        let (L, Dm, N) = (length, channels, stateSize)
        let chunks = BatchParallel.chunkCount(batch: batch, workPerItem: 3 * workPerItem)
        let workSize = Int(mbrl_selective_scan_backward_work_size(Int32(L), Int32(N)))
        // Per chunk: the state workspace, then partial dA [Dm, N] and dD [Dm].
        BatchParallel.runSummingPartials(batch: batch, chunks: chunks, perChunk: workSize + Dm * N + Dm,
                                         sums: [(dA, workSize)] + (dD.map { [($0, workSize + Dm * N)] } ?? [])) { r, mine in
            let seq = r.lowerBound * L * Dm, bc = r.lowerBound * L * N, st = r.lowerBound * Dm * N
            mbrl_selective_scan_backward(
                u.kernelBase + seq, delta.kernelBase + seq, A.kernelBase, B.kernelBase + bc, C.kernelBase + bc,
                D?.kernelBase, initialState.map { $0.kernelBase + st }, reset.map { $0.kernelBase + r.lowerBound * L },
                dy.kernelBase + seq,
                dFinalState.map { $0.kernelBase + st },
                du.kernelBase + seq, dDelta.kernelBase + seq, mine + workSize, dB.kernelBase + bc, dC.kernelBase + bc,
                D == nil ? nil : mine + workSize + Dm * N, dInitialState.map { $0.kernelBase + st }, mine,
                Int32(r.count), Int32(L), Int32(Dm), Int32(N))
        }
    }

    /// One recurrent step for imagination, O(channels·stateSize) per batch element:
    /// updates `state` [batch, channels, stateSize] in place and writes `y`
    /// [batch, channels]. `u`, `delta`: [batch, channels]; `B`, `C`: [batch, stateSize].
    /// Running it over t = 0 ..< length reproduces `forward` (same arithmetic).
    /// `length` is ignored here. Large batches (planning populations) are split
    /// over the cores. (At an episode start, zero that row of `state` first.)
    public func step(u: UnsafeBufferPointer<Float>, delta: UnsafeBufferPointer<Float>,
                     A: UnsafeBufferPointer<Float>, B: UnsafeBufferPointer<Float>,
                     C: UnsafeBufferPointer<Float>, D: UnsafeBufferPointer<Float>?,
                     state: UnsafeMutableBufferPointer<Float>, y: UnsafeMutableBufferPointer<Float>) {
        let name = "SelectiveScan.step"
        checkKernelBuffer(u.count, [batch, channels], "u", name)
        checkKernelBuffer(delta.count, [batch, channels], "delta", name)
        checkKernelBuffer(A.count, [channels, stateSize], "A", name)
        checkKernelBuffer(B.count, [batch, stateSize], "B", name)
        checkKernelBuffer(C.count, [batch, stateSize], "C", name)
        if let D { checkKernelBuffer(D.count, [channels], "D", name) }
        checkKernelBuffer(state.count, [batch, channels, stateSize], "state", name)
        checkKernelBuffer(y.count, [batch, channels], "y", name)
        // A one-step forward whose initial and final state alias (allowed by the kernel).
        let (Dm, N) = (channels, stateSize)
        let chunks = BatchParallel.chunkCount(batch: batch, workPerItem: Dm * N)
        ParallelFor.chunks(count: batch, parts: chunks) { _, r in
            let (row, bc, st) = (r.lowerBound * Dm, r.lowerBound * N, r.lowerBound * Dm * N)
            mbrl_selective_scan_forward(u.kernelBase + row, delta.kernelBase + row, A.kernelBase, B.kernelBase + bc,
                                        C.kernelBase + bc, D?.kernelBase, UnsafePointer(state.kernelBase + st), nil,
                                        y.kernelBase + row, state.kernelBase + st,
                                        Int32(r.count), 1, Int32(Dm), Int32(N))
        }
    }

    private func checkSequenceInputs(u: UnsafeBufferPointer<Float>, delta: UnsafeBufferPointer<Float>,
                                     A: UnsafeBufferPointer<Float>, B: UnsafeBufferPointer<Float>,
                                     C: UnsafeBufferPointer<Float>, D: UnsafeBufferPointer<Float>?,
                                     initialState: UnsafeBufferPointer<Float>?, reset: UnsafeBufferPointer<Float>?) {
        let name = "SelectiveScan"
        checkKernelBuffer(u.count, [batch, length, channels], "u", name)
        checkKernelBuffer(delta.count, [batch, length, channels], "delta", name)
        checkKernelBuffer(A.count, [channels, stateSize], "A", name)
        checkKernelBuffer(B.count, [batch, length, stateSize], "B", name)
        checkKernelBuffer(C.count, [batch, length, stateSize], "C", name)
        if let D { checkKernelBuffer(D.count, [channels], "D", name) }
        if let initialState { checkKernelBuffer(initialState.count, [batch, channels, stateSize], "initialState", name) }
        if let reset { checkKernelBuffer(reset.count, [batch, length], "reset", name) }
    }
}
