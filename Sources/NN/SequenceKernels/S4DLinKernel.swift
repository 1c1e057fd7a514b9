import CKernels

/// The S4D state-space kernel with a complex diagonal A (Gu, Gupta, Goel & Ré
/// 2022, "On the Parameterization and Initialization of Diagonal State Space
/// Models", Sec. 4 and its minimal `s4d.py`): `stateSize` N complex modes per
/// channel, B absorbed into C, zero-order hold, real output taken as twice the
/// real part (the conjugate modes):
///
///     dt = exp(log_dt[h]),  A = -exp(log_A_real[h,n]) + i·A_imag[h,n]
///     dA = exp(dt·A),  dB = (dA - 1) / A                          (ZOH, B = 1)
///     K[l,h] = 2·Re Σ_n C[h,n] · dB[h,n] · dA[h,n]^l,   l < length
///
/// S4D-Lin init (`linInitialization`): A = -1/2 + iπn. Complex arrays are stored
/// as [..., 2] with (re, im) interleaved. Shapes: `logDt` [channels];
/// `logAReal`, `AImag` [channels, stateSize]; `C`, `dA`, `dB`
/// [channels, stateSize, 2]; `K` [length, channels] (as `S4DRealKernel`; use it
/// with `S4DConvolution`, and `S4DConvolution.complexStep` for the recurrence).
///
/// Computed in double, stored as Float. Cost: 4·channels·stateSize·length
/// multiply-adds forward, about 3× that backward.
public struct S4DLinKernel: Sendable, Equatable {
    public let channels: Int
    public let stateSize: Int
    public let length: Int

    /// Sizes; all must be positive.
    public init(channels: Int, stateSize: Int, length: Int) {
        precondition(channels > 0 && stateSize > 0 && length > 0,
                     "S4DLinKernel: sizes must be positive, got channels \(channels), stateSize \(stateSize), length \(length)")
        self.channels = channels
        self.stateSize = stateSize
        self.length = length
    }

    /// S4D-Lin initial `logAReal` = log(1/2) (-0.6931…) and `AImag` = π·n, each [channels, stateSize].
    public func linInitialization() -> (logAReal: [Float], AImag: [Float]) {
        let logAReal = [Float](repeating: -0.693147180559945, count: channels * stateSize)
        let aImag = (0 ..< channels * stateSize).map { Float.pi * Float($0 % stateSize) }
        return (logAReal, aImag)
    }

    /// Writes the discretised complex `dA`, `dB` [channels, stateSize, 2].
    public func discretize(logDt: UnsafeBufferPointer<Float>, logAReal: UnsafeBufferPointer<Float>,
                           AImag: UnsafeBufferPointer<Float>, dA: UnsafeMutableBufferPointer<Float>,
                           dB: UnsafeMutableBufferPointer<Float>) {
        let name = "S4DLinKernel.discretize"
        checkParameters(logDt: logDt, logAReal: logAReal, AImag: AImag, C: nil, name)
        checkKernelBuffer(dA.count, [channels, stateSize, 2], "dA", name)
        checkKernelBuffer(dB.count, [channels, stateSize, 2], "dB", name)
        mbrl_s4d_lin_discretize(logDt.kernelBase, logAReal.kernelBase, AImag.kernelBase, dA.kernelBase, dB.kernelBase,
                                Int32(channels), Int32(stateSize))
    }

    /// Writes the convolution kernel `K` [length, channels].
    public func forward(logDt: UnsafeBufferPointer<Float>, logAReal: UnsafeBufferPointer<Float>,
                        AImag: UnsafeBufferPointer<Float>, C: UnsafeBufferPointer<Float>,
                        K: UnsafeMutableBufferPointer<Float>) {
        let name = "S4DLinKernel.forward"
        checkParameters(logDt: logDt, logAReal: logAReal, AImag: AImag, C: C, name)
        checkKernelBuffer(K.count, [length, channels], "K", name)
        mbrl_s4d_lin_kernel(logDt.kernelBase, logAReal.kernelBase, AImag.kernelBase, C.kernelBase, K.kernelBase,
                            Int32(channels), Int32(stateSize), Int32(length))
    }

    /// Backward of `forward` given `dK` [length, channels]: overwrites `dLogDt`
    /// [channels], `dLogAReal`, `dAImag` [channels, stateSize] and `dC` [channels, stateSize, 2]
    /// (∂L/∂Re C, ∂L/∂Im C interleaved).
    public func backward(logDt: UnsafeBufferPointer<Float>, logAReal: UnsafeBufferPointer<Float>,
                         AImag: UnsafeBufferPointer<Float>, C: UnsafeBufferPointer<Float>,
                         dK: UnsafeBufferPointer<Float>, dLogDt: UnsafeMutableBufferPointer<Float>,
                         dLogAReal: UnsafeMutableBufferPointer<Float>, dAImag: UnsafeMutableBufferPointer<Float>,
                         dC: UnsafeMutableBufferPointer<Float>) {
        let name = "S4DLinKernel.backward"
        checkParameters(logDt: logDt, logAReal: logAReal, AImag: AImag, C: C, name)
        checkKernelBuffer(dK.count, [length, channels], "dK", name)
        checkKernelBuffer(dLogDt.count, [channels], "dLogDt", name)
        checkKernelBuffer(dLogAReal.count, [channels, stateSize], "dLogAReal", name)
        checkKernelBuffer(dAImag.count, [channels, stateSize], "dAImag", name)
        checkKernelBuffer(dC.count, [channels, stateSize, 2], "dC", name)
        mbrl_s4d_lin_kernel_backward(logDt.kernelBase, logAReal.kernelBase, AImag.kernelBase, C.kernelBase,
                                     dK.kernelBase, dLogDt.kernelBase, dLogAReal.kernelBase, dAImag.kernelBase,
                                     dC.kernelBase, Int32(channels), Int32(stateSize), Int32(length))
    }

    private func checkParameters(logDt: UnsafeBufferPointer<Float>, logAReal: UnsafeBufferPointer<Float>,
                                 AImag: UnsafeBufferPointer<Float>, C: UnsafeBufferPointer<Float>?, _ name: String) {
        checkKernelBuffer(logDt.count, [channels], "logDt", name)
        checkKernelBuffer(logAReal.count, [channels, stateSize], "logAReal", name)
        checkKernelBuffer(AImag.count, [channels, stateSize], "AImag", name)
        if let C { checkKernelBuffer(C.count, [channels, stateSize, 2], "C", name) }
    }
}
