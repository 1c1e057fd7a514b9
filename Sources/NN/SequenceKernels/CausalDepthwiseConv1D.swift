import CKernels

/// Causal depthwise 1-D convolution over time, the short convolution in front of
/// Mamba's selective scan (Gu & Dao 2023, Fig. 3), over contiguous batch-major
/// Float buffers, with a hand-written backward and a rolling-state step.
///
///     y[b,t,d] = bias[d] + Σ_{k<K} w[d,k] · x[b, t-(K-1)+k, d]      (x at t < 0 is 0)
///
/// which is `nn.Conv1d(D, D, K, groups=D, padding=K-1)(x.transpose(1,2))[..., :L]`
/// in PyTorch (cross-correlation: w[d, K-1] multiplies the current input).
/// Shapes: `x`, `y`: [batch, length, channels]; `weight`: [channels, K] (PyTorch's
/// [channels, 1, K] flattened); `bias`: [channels]; rolling state:
/// [batch, channels, K-1], the last K-1 inputs, oldest first. An optional `reset`
/// mask [batch, length] (non-zero = a new episode starts at t) hides inputs before
/// t from outputs at t and later, as at the start of a sequence.
///
/// Cost: batch·length·channels·K FMA forward, twice that backward, vectorised
/// over channels; the batch is split over the cores when the call is large.
/// Output buffers must not overlap any input (the C kernels are `restrict`);
/// gradients are overwritten, not accumulated.
public struct CausalDepthwiseConv1D: Sendable, Equatable {
    public let batch: Int
    public let length: Int
    public let channels: Int
    public let kernelSize: Int

    /// Sizes; all must be positive.
    public init(batch: Int, length: Int, channels: Int, kernelSize: Int) {
        precondition(batch > 0 && length > 0 && channels > 0 && kernelSize > 0,
                     "CausalDepthwiseConv1D: sizes must be positive, got batch \(batch), length \(length), channels \(channels), kernelSize \(kernelSize)")
        self.batch = batch
        self.length = length
        self.channels = channels
        self.kernelSize = kernelSize
    }

    private var workPerItem: Int { length * channels * kernelSize }

    /// Whole-sequence forward (zero initial state). Writes `y`.
    public func forward(x: UnsafeBufferPointer<Float>, weight: UnsafeBufferPointer<Float>,
                        bias: UnsafeBufferPointer<Float>?, reset: UnsafeBufferPointer<Float>? = nil,
                        y: UnsafeMutableBufferPointer<Float>) {
        let name = "CausalDepthwiseConv1D.forward"
        checkKernelBuffer(x.count, [batch, length, channels], "x", name)
        checkParameters(weight: weight, bias: bias, name)
        checkKernelBuffer(y.count, [batch, length, channels], "y", name)
        if let reset { checkKernelBuffer(reset.count, [batch, length], "reset", name) }
        let (L, D, K) = (length, channels, kernelSize)
        let chunks = BatchParallel.chunkCount(batch: batch, workPerItem: workPerItem)
        ParallelFor.chunks(count: batch, parts: chunks) { _, r in
            let off = r.lowerBound * L * D
            mbrl_causal_conv1d_forward(x.kernelBase + off, weight.kernelBase, bias?.kernelBase,
                                       reset.map { $0.kernelBase + r.lowerBound * L }, y.kernelBase + off,
                                       Int32(r.count), Int32(L), Int32(D), Int32(K))
        }
    }

    /// Backward of `forward` (same `reset`) given `dy`. Overwrites `dx`
    /// [batch, length, channels], `dWeight` [channels, K] and `dBias` [channels] (when given).
    public func backward(x: UnsafeBufferPointer<Float>, weight: UnsafeBufferPointer<Float>,
                         reset: UnsafeBufferPointer<Float>? = nil, dy: UnsafeBufferPointer<Float>, dx: UnsafeMutableBufferPointer<Float>,
                         dWeight: UnsafeMutableBufferPointer<Float>, dBias: UnsafeMutableBufferPointer<Float>?) {
        let name = "CausalDepthwiseConv1D.backward"
        checkKernelBuffer(x.count, [batch, length, channels], "x", name)
        checkKernelBuffer(weight.count, [channels, kernelSize], "weight", name)
        checkKernelBuffer(dy.count, [batch, length, channels], "dy", name)
        checkKernelBuffer(dx.count, [batch, length, channels], "dx", name)
        checkKernelBuffer(dWeight.count, [channels, kernelSize], "dWeight", name)
        if let dBias { checkKernelBuffer(dBias.count, [channels], "dBias", name) }
        if let reset { checkKernelBuffer(reset.count, [batch, length], "reset", name) }
        let (L, D, K) = (length, channels, kernelSize)
        let chunks = BatchParallel.chunkCount(batch: batch, workPerItem: 2 * workPerItem)
        // partial dWeight, dBias per chunk
        BatchParallel.runSummingPartials(batch: batch, chunks: chunks, perChunk: D * K + D,
                                         sums: [(dWeight, 0)] + (dBias.map { [($0, D * K)] } ?? [])) { r, mine in
            let off = r.lowerBound * L * D
            mbrl_causal_conv1d_backward(x.kernelBase + off, weight.kernelBase,
                                        reset.map { $0.kernelBase + r.lowerBound * L }, dy.kernelBase + off,
                                        dx.kernelBase + off, mine, mine + D * K,
                                        Int32(r.count), Int32(L), Int32(D), Int32(K))
        }
    }

    /// The rolling state after the sequence `x` [batch, length, channels]: the last
    /// K-1 inputs per channel, oldest first, zero-padded when length < K-1 or where
    /// they precede the last reset. Writes `state` [batch, channels, K-1].
    public func finalState(x: UnsafeBufferPointer<Float>, reset: UnsafeBufferPointer<Float>? = nil,
                           state: UnsafeMutableBufferPointer<Float>) {
        checkKernelBuffer(x.count, [batch, length, channels], "x", "CausalDepthwiseConv1D.finalState")
        checkKernelBuffer(state.count, [batch, channels, kernelSize - 1], "state", "CausalDepthwiseConv1D.finalState")
        if let reset { checkKernelBuffer(reset.count, [batch, length], "reset", "CausalDepthwiseConv1D.finalState") }
        guard kernelSize > 1 else { return }
        mbrl_causal_conv1d_final_state(x.kernelBase, reset?.kernelBase, state.kernelBase, Int32(batch), Int32(length), Int32(channels),
                                       Int32(kernelSize))
    }

    /// One step for imagination, O(channels·K) per batch element: `x`, `y`:
    /// [batch, channels]; `state` [batch, channels, K-1] (zeros at the start of a
    /// sequence; zero a row at an episode start) is shifted and takes `x`. `length`
    /// is ignored here. Large batches are split over the cores.
    public func step(x: UnsafeBufferPointer<Float>, weight: UnsafeBufferPointer<Float>,
                     bias: UnsafeBufferPointer<Float>?, state: UnsafeMutableBufferPointer<Float>,
                     y: UnsafeMutableBufferPointer<Float>) {
        let name = "CausalDepthwiseConv1D.step"
        checkKernelBuffer(x.count, [batch, channels], "x", name)
        checkParameters(weight: weight, bias: bias, name)
        checkKernelBuffer(state.count, [batch, channels, kernelSize - 1], "state", name)
        checkKernelBuffer(y.count, [batch, channels], "y", name)
        let (D, K) = (channels, kernelSize)
        let chunks = BatchParallel.chunkCount(batch: batch, workPerItem: D * K)
        ParallelFor.chunks(count: batch, parts: chunks) { _, r in
            // An empty state (K = 1) has no base address; the kernel never reads it then.
            let statePointer = state.baseAddress.map { $0 + r.lowerBound * D * (K - 1) } ?? y.kernelBase
            mbrl_causal_conv1d_step(x.kernelBase + r.lowerBound * D, weight.kernelBase, bias?.kernelBase, statePointer,
                                    y.kernelBase + r.lowerBound * D, Int32(r.count), Int32(D), Int32(K))
        }
    }

    private func checkParameters(weight: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>?, _ name: String) {
        checkKernelBuffer(weight.count, [channels, kernelSize], "weight", name)
        if let bias { checkKernelBuffer(bias.count, [channels], "bias", name) }
    }
}
