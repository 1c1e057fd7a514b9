import CKernels

/// The recurrent form of the complex-A S4D layer (`S4DLinKernel`): the state is
/// complex, [batch, channels, stateSize, 2] with (re, im) interleaved, and
///
///     x_t = dA ⊙ x_{t-1} + dB · u_t,   y_t = 2·Re Σ_n C x_t + D u_t
///
/// with `dA`, `dB` from `S4DLinKernel.discretize` and `C` [channels, stateSize, 2].
/// Running `complexStep` over a sequence reproduces `forward` with the
/// `S4DLinKernel` kernel.
extension S4DConvolution {
    /// The complex recurrent state after `u` [batch, length, channels] from zero
    /// (zeroed where `reset` [batch, length] is non-zero).
    public func complexFinalState(u: UnsafeBufferPointer<Float>, dA: UnsafeBufferPointer<Float>,
                                  dB: UnsafeBufferPointer<Float>, reset: UnsafeBufferPointer<Float>? = nil,
                                  stateSize: Int, state: UnsafeMutableBufferPointer<Float>) {
        let name = "S4DConvolution.complexFinalState"
        checkKernelBuffer(u.count, [batch, length, channels], "u", name)
        checkKernelBuffer(dA.count, [channels, stateSize, 2], "dA", name)
        checkKernelBuffer(dB.count, [channels, stateSize, 2], "dB", name)
        checkKernelBuffer(state.count, [batch, channels, stateSize, 2], "state", name)
        if let reset { checkKernelBuffer(reset.count, [batch, length], "reset", name) }
        mbrl_s4d_lin_final_state(u.kernelBase, dA.kernelBase, dB.kernelBase, reset?.kernelBase, state.kernelBase,
                                 Int32(batch), Int32(length), Int32(channels), Int32(stateSize))
    }

    /// One complex recurrent step: `u`, `y` [batch, channels]; `state`
    /// [batch, channels, stateSize, 2] updated in place. `length` is ignored here.
    public func complexStep(u: UnsafeBufferPointer<Float>, dA: UnsafeBufferPointer<Float>,
                            dB: UnsafeBufferPointer<Float>, C: UnsafeBufferPointer<Float>,
                            D: UnsafeBufferPointer<Float>?, stateSize: Int,
                            state: UnsafeMutableBufferPointer<Float>, y: UnsafeMutableBufferPointer<Float>) {
        let name = "S4DConvolution.complexStep"
        checkKernelBuffer(u.count, [batch, channels], "u", name)
        for (buffer, label) in [(dA, "dA"), (dB, "dB"), (C, "C")] {
            checkKernelBuffer(buffer.count, [channels, stateSize, 2], label, name)
        }
        if let D { checkKernelBuffer(D.count, [channels], "D", name) }
        checkKernelBuffer(state.count, [batch, channels, stateSize, 2], "state", name)
        checkKernelBuffer(y.count, [batch, channels], "y", name)
        let (H, N) = (channels, stateSize)
        let chunks = BatchParallel.chunkCount(batch: batch, workPerItem: 4 * H * N)
        ParallelFor.chunks(count: batch, parts: chunks) { _, r in
            mbrl_s4d_lin_step(u.kernelBase + r.lowerBound * H, dA.kernelBase, dB.kernelBase, C.kernelBase,
                              D?.kernelBase, state.kernelBase + r.lowerBound * H * N * 2,
                              y.kernelBase + r.lowerBound * H, Int32(r.count), Int32(H), Int32(N))
        }
    }
}
