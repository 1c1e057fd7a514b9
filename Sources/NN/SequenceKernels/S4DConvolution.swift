import CKernels

/// The S4D layer's sequence operator in its two equivalent modes (Gu et al. 2022,
/// "On the Parameterization and Initialization of Diagonal State Space Models"):
///
/// - convolution (training, parallel over time), with the kernel from `S4DRealKernel`:
///
///       y[b,l,h] = Σ_{j≤l} K[j,h] · u[b,l-j,h] + D[h] · u[b,l,h]
///
/// - recurrence (imagination, O(channels·stateSize) per step), with `dA`, `dB`
///   from `S4DRealKernel.discretize`:
///
///       x_t[h,n] = dA[h,n] · x_{t-1}[h,n] + dB[h,n] · u_t[h],   y_t[h] = Σ_n C[h,n] x_t[h,n] + D[h] u_t[h]
///
/// Both start from a zero state; `finalState` gives the recurrent state after a
/// sequence so imagination can continue from observed context. An optional
/// `reset` mask [batch, length] (non-zero = a new episode starts at l) zeroes the
/// state there: the convolution sum stops at the segment start.
/// Shapes: `u`, `y`: [batch, length, channels]; `K`: [length, channels];
/// `D`: [channels]; recurrent state: [batch, channels, stateSize].
///
/// Cost: the convolution is direct, batch·channels·length(length+1)/2 FMA forward
/// and twice that backward, vectorised over channels (fine for length ≤ ~256; an
/// FFT would win beyond). The batch is split over the cores when the call is large.
/// Output buffers must not overlap any input (the C kernels are `restrict`);
/// gradients are overwritten, not accumulated.
public struct S4DConvolution: Sendable, Equatable {
    public let batch: Int
    public let length: Int
    public let channels: Int

    /// Sizes; all must be positive.
    public init(batch: Int, length: Int, channels: Int) {
        precondition(batch > 0 && length > 0 && channels > 0,
                     "S4DConvolution: sizes must be positive, got batch \(batch), length \(length), channels \(channels)")
        self.batch = batch
        self.length = length
        self.channels = channels
    }

    private var workPerItem: Int { channels * length * (length + 1) / 2 }

    /// Writes `y` = K ∗ u + D u (causal).
    public func forward(u: UnsafeBufferPointer<Float>, K: UnsafeBufferPointer<Float>,
                        D: UnsafeBufferPointer<Float>?, reset: UnsafeBufferPointer<Float>? = nil,
                        y: UnsafeMutableBufferPointer<Float>) {
        let name = "S4DConvolution.forward"
        checkInputs(u: u, K: K, D: D, reset: reset, name)
        checkKernelBuffer(y.count, [batch, length, channels], "y", name)
        let (L, H) = (length, channels)
        let chunks = BatchParallel.chunkCount(batch: batch, workPerItem: workPerItem)
        ParallelFor.chunks(count: batch, parts: chunks) { _, r in
            let off = r.lowerBound * L * H
            mbrl_s4d_conv_forward(u.kernelBase + off, K.kernelBase, D?.kernelBase,
                                  reset.map { $0.kernelBase + r.lowerBound * L }, y.kernelBase + off,
                                  Int32(r.count), Int32(L), Int32(H))
        }
    }

    /// Backward of `forward` (same `reset`) given `dy`: overwrites `du`
    /// [batch, length, channels], `dK` [length, channels] and `dD` [channels] (only
    /// when `D` is given).
    public func backward(u: UnsafeBufferPointer<Float>, K: UnsafeBufferPointer<Float>,
                         D: UnsafeBufferPointer<Float>?, reset: UnsafeBufferPointer<Float>? = nil,
                         dy: UnsafeBufferPointer<Float>,
                         du: UnsafeMutableBufferPointer<Float>, dK: UnsafeMutableBufferPointer<Float>,
                         dD: UnsafeMutableBufferPointer<Float>?) {
        let name = "S4DConvolution.backward"
        checkInputs(u: u, K: K, D: D, reset: reset, name)
        checkKernelBuffer(dy.count, [batch, length, channels], "dy", name)
        checkKernelBuffer(du.count, [batch, length, channels], "du", name)
        checkKernelBuffer(dK.count, [length, channels], "dK", name)
        precondition((D == nil) == (dD == nil), "\(name): pass dD exactly when D is given")
        if let dD { checkKernelBuffer(dD.count, [channels], "dD", name) }
        let (L, H) = (length, channels)
        let chunks = BatchParallel.chunkCount(batch: batch, workPerItem: 2 * workPerItem)
        // partial dK, dD per chunk
        BatchParallel.runSummingPartials(batch: batch, chunks: chunks, perChunk: L * H + H,
                                         sums: [(dK, 0)] + (dD.map { [($0, L * H)] } ?? [])) { r, mine in
            let off = r.lowerBound * L * H
            mbrl_s4d_conv_backward(u.kernelBase + off, K.kernelBase, D?.kernelBase,
                                   reset.map { $0.kernelBase + r.lowerBound * L }, dy.kernelBase + off,
                                   du.kernelBase + off, mine, D == nil ? nil : mine + L * H,
                                   Int32(r.count), Int32(L), Int32(H))
        }
    }

    /// The recurrent state after the sequence `u` (from a zero state):
    /// x[b,h,n] = Σ_j dA[h,n]^(length-1-j) dB[h,n] u[b,j,h]. Writes `state`
    /// [batch, channels, stateSize]; `dA`, `dB`: [channels, stateSize].
    public func finalState(u: UnsafeBufferPointer<Float>, dA: UnsafeBufferPointer<Float>,
                           dB: UnsafeBufferPointer<Float>, reset: UnsafeBufferPointer<Float>? = nil,
                           stateSize: Int, state: UnsafeMutableBufferPointer<Float>) {
        let name = "S4DConvolution.finalState"
        checkKernelBuffer(u.count, [batch, length, channels], "u", name)
        checkKernelBuffer(dA.count, [channels, stateSize], "dA", name)
        checkKernelBuffer(dB.count, [channels, stateSize], "dB", name)
        checkKernelBuffer(state.count, [batch, channels, stateSize], "state", name)
        if let reset { checkKernelBuffer(reset.count, [batch, length], "reset", name) }
        mbrl_s4d_final_state(u.kernelBase, dA.kernelBase, dB.kernelBase, reset?.kernelBase, state.kernelBase,
                             Int32(batch), Int32(length), Int32(channels), Int32(stateSize))
    }

    /// One recurrent step: `u`, `y`: [batch, channels]; `dA`, `dB`, `C`:
    /// [channels, stateSize]; `state` [batch, channels, stateSize] updated in place.
    /// `length` is ignored here (zero a state row at an episode start). Large batches
    /// are split over the cores.
    public func step(u: UnsafeBufferPointer<Float>, dA: UnsafeBufferPointer<Float>,
                     dB: UnsafeBufferPointer<Float>, C: UnsafeBufferPointer<Float>,
                     D: UnsafeBufferPointer<Float>?, stateSize: Int,
                     state: UnsafeMutableBufferPointer<Float>, y: UnsafeMutableBufferPointer<Float>) {
        let name = "S4DConvolution.step"
        checkKernelBuffer(u.count, [batch, channels], "u", name)
        checkKernelBuffer(dA.count, [channels, stateSize], "dA", name)
        checkKernelBuffer(dB.count, [channels, stateSize], "dB", name)
        checkKernelBuffer(C.count, [channels, stateSize], "C", name)
        if let D { checkKernelBuffer(D.count, [channels], "D", name) }
        checkKernelBuffer(state.count, [batch, channels, stateSize], "state", name)
        checkKernelBuffer(y.count, [batch, channels], "y", name)
        let (H, N) = (channels, stateSize)
        let chunks = BatchParallel.chunkCount(batch: batch, workPerItem: H * N)
        ParallelFor.chunks(count: batch, parts: chunks) { _, r in
            mbrl_s4d_step(u.kernelBase + r.lowerBound * H, dA.kernelBase, dB.kernelBase, C.kernelBase, D?.kernelBase,
                          state.kernelBase + r.lowerBound * H * N, y.kernelBase + r.lowerBound * H,
                          Int32(r.count), Int32(H), Int32(N))
        }
    }

    private func checkInputs(u: UnsafeBufferPointer<Float>, K: UnsafeBufferPointer<Float>,
                             D: UnsafeBufferPointer<Float>?, reset: UnsafeBufferPointer<Float>?, _ name: String) {
        checkKernelBuffer(u.count, [batch, length, channels], "u", name)
        checkKernelBuffer(K.count, [length, channels], "K", name)
        if let D { checkKernelBuffer(D.count, [channels], "D", name) }
        if let reset { checkKernelBuffer(reset.count, [batch, length], "reset", name) }
    }
}
