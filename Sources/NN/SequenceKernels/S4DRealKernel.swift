import CKernels

/// The S4D-Real state-space kernel (Gu, Gupta, Goel & Ré 2022, "On the
/// Parameterization and Initialization of Diagonal State Space Models"): a real
/// diagonal SSM per channel h < `channels` with `stateSize` N states, discretised
/// with zero-order hold, in the parameterisation of `torch_bench.S4DReal`:
///
///     dt = exp(log_dt[h]),  A = -exp(log_A[h,n]),  dA = exp(dt·A),
///     dB = (dA - 1) / A · B[h,n]                                   (ZOH)
///     K[l,h] = Σ_n C[h,n] · dB[h,n] · dA[h,n]^l,   l < length
///
/// S4D-Real init: log_A[h,n] = log(n+1), B = 1, C ~ N(0, 1/N).
/// Shapes: `logDt` [channels]; `logA`, `B`, `C`, `dA`, `dB` [channels, stateSize];
/// the kernel `K` is [length, channels] — time-major, channel-contiguous, so the
/// convolution (`S4DConvolution`) vectorises over channels; note this is the
/// transpose of PyTorch's [H, L].
///
/// Computed in double (powers by repeated multiplication) and stored as Float.
/// Cost: channels·stateSize·length FMA forward, twice that backward.
public struct S4DRealKernel: Sendable, Equatable {
    public let channels: Int
    public let stateSize: Int
    public let length: Int

    /// Sizes; all must be positive.
    public init(channels: Int, stateSize: Int, length: Int) {
        precondition(channels > 0 && stateSize > 0 && length > 0,
                     "S4DRealKernel: sizes must be positive, got channels \(channels), stateSize \(stateSize), length \(length)")
        self.channels = channels
        self.stateSize = stateSize
        self.length = length
    }

    /// Writes the discretised `dA`, `dB` [channels, stateSize] used by the
    /// recurrent form (`S4DConvolution.step`, `finalState`).
    public func discretize(logDt: UnsafeBufferPointer<Float>, logA: UnsafeBufferPointer<Float>,
                           B: UnsafeBufferPointer<Float>, dA: UnsafeMutableBufferPointer<Float>,
                           dB: UnsafeMutableBufferPointer<Float>) {
        let name = "S4DRealKernel.discretize"
        checkParameters(logDt: logDt, logA: logA, B: B, C: nil, name)
        checkKernelBuffer(dA.count, [channels, stateSize], "dA", name)
        checkKernelBuffer(dB.count, [channels, stateSize], "dB", name)
        mbrl_s4d_real_discretize(logDt.kernelBase, logA.kernelBase, B.kernelBase, dA.kernelBase, dB.kernelBase,
                                 Int32(channels), Int32(stateSize))
    }

    /// Writes the convolution kernel `K` [length, channels].
    public func forward(logDt: UnsafeBufferPointer<Float>, logA: UnsafeBufferPointer<Float>,
                        B: UnsafeBufferPointer<Float>, C: UnsafeBufferPointer<Float>,
                        K: UnsafeMutableBufferPointer<Float>) {
        let name = "S4DRealKernel.forward"
        checkParameters(logDt: logDt, logA: logA, B: B, C: C, name)
        checkKernelBuffer(K.count, [length, channels], "K", name)
        mbrl_s4d_real_kernel(logDt.kernelBase, logA.kernelBase, B.kernelBase, C.kernelBase, K.kernelBase,
                             Int32(channels), Int32(stateSize), Int32(length))
    }

    /// Backward of `forward` given `dK` [length, channels]: overwrites `dLogDt`
    /// [channels] and `dLogA`, `dB`, `dC` [channels, stateSize].
    public func backward(logDt: UnsafeBufferPointer<Float>, logA: UnsafeBufferPointer<Float>,
                         B: UnsafeBufferPointer<Float>, C: UnsafeBufferPointer<Float>,
                         dK: UnsafeBufferPointer<Float>, dLogDt: UnsafeMutableBufferPointer<Float>,
                         dLogA: UnsafeMutableBufferPointer<Float>, dB: UnsafeMutableBufferPointer<Float>,
                         dC: UnsafeMutableBufferPointer<Float>) {
        let name = "S4DRealKernel.backward"
        checkParameters(logDt: logDt, logA: logA, B: B, C: C, name)
        checkKernelBuffer(dK.count, [length, channels], "dK", name)
        checkKernelBuffer(dLogDt.count, [channels], "dLogDt", name)
        checkKernelBuffer(dLogA.count, [channels, stateSize], "dLogA", name)
        checkKernelBuffer(dB.count, [channels, stateSize], "dB", name)
        checkKernelBuffer(dC.count, [channels, stateSize], "dC", name)
        mbrl_s4d_real_kernel_backward(logDt.kernelBase, logA.kernelBase, B.kernelBase, C.kernelBase, dK.kernelBase,
                                      dLogDt.kernelBase, dLogA.kernelBase, dB.kernelBase, dC.kernelBase,
                                      Int32(channels), Int32(stateSize), Int32(length))
    }

    private func checkParameters(logDt: UnsafeBufferPointer<Float>, logA: UnsafeBufferPointer<Float>,
                                 B: UnsafeBufferPointer<Float>, C: UnsafeBufferPointer<Float>?, _ name: String) {
        checkKernelBuffer(logDt.count, [channels], "logDt", name)
        checkKernelBuffer(logA.count, [channels, stateSize], "logA", name)
        checkKernelBuffer(B.count, [channels, stateSize], "B", name)
        if let C { checkKernelBuffer(C.count, [channels, stateSize], "C", name) }
    }
}
