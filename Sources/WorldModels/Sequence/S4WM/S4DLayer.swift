import Foundation
import NN
import SeededRandom
import TensorCore

/// A diagonal state-space layer, S4D (Gu, Gupta, Goel & Ré 2022, "On the
/// Parameterization and Initialization of Diagonal State Space Models"), on
/// `channels` H independent channels with N states each, learned log step
/// size, zero-order hold and a D skip:
///
///     x_t = dA ⊙ x_{t−1} + dB · u_t,   y_t = Re/2Re(Σ_n C_n x_t[n]) + D · u_t
///
/// computed in parallel as the causal convolution y = K ∗ u + D u with
/// K[l] = Σ_n C_n dB_n dA_n^l (``S4DRealKernel`` / ``S4DLinKernel`` +
/// ``S4DConvolution``), and recurrently in O(H·N) per step.
///
/// - `.real` (S4D-Real, `torch_bench.S4DReal`): `log_dt` [H], `log_A` [H, N] =
///   log(n+1) (A = −(n+1)), `B` [H, N] = 1, `C` [H, N] ~ N(0, 1/N), `D` [H] ~ N(0, 1);
///   state [rows, H, N].
/// - `.complex` (S4D-Lin, the S4D paper's `s4d.py`): `log_dt` [H],
///   `log_A_real` [H, N] = log ½, `A_imag` [H, N] = πn, `C` [H, N, 2] (re, im) ~
///   CN(0, 1), `D` [H]; output twice the real part; state [rows, H, N, 2].
///
/// log_dt ~ U(log 1e-3, log 1e-1) in both. The parallel form is one tape op
/// (kernel generation + convolution, hand-written backward through both);
/// `resetMask` cuts the convolution at episode starts.
/// Cost per window: H·N·T (×4 complex) for the kernel, B·H·T(T+1)/2 FMA for the
/// direct convolution, about twice both backward.
public final class S4DLayer: Module {
    /// Real diagonal A (S4D-Real) or complex (S4D-Lin).
    public enum Mode: String, Sendable { case real, complex }

    public let channels: Int, stateSize: Int, mode: Mode
    public let logDt: Parameter
    /// `log_A` (real) or `log_A_real` (complex), [H, N].
    public let logA: Parameter
    /// `B` (real) or `A_imag` (complex), [H, N].
    public let second: Parameter
    /// `C`: [H, N] (real) or [H, N, 2] (complex).
    public let c: Parameter
    public let dSkip: Parameter

    public init(channels h: Int, stateSize n: Int, mode: Mode = .real, dtMin: Float = 1e-3, dtMax: Float = 1e-1,
                generator: inout SeededGenerator) {
        precondition(h > 0 && n > 0, "S4DLayer: sizes must be positive, got channels \(h), stateSize \(n)")
        (channels, stateSize, self.mode) = (h, n, mode)
        let (lo, hi) = (Foundation.log(dtMin), Foundation.log(dtMax))
        logDt = Parameter(Tensor(shape: [h], uniformLow: lo, high: hi, generator: &generator))
        switch mode {
        case .real:
            logA = Parameter(Tensor(shape: [h, n], scalars: (0..<h * n).map { Float(Foundation.log(Double($0 % n + 1))) }))
            second = Parameter(Tensor(shape: [h, n], repeating: 1))
            c = Parameter(Tensor(shape: [h, n], normalMean: 0, std: 1 / Float(n).squareRoot(), generator: &generator))
        case .complex:
            let (logAReal, aImag) = S4DLinKernel(channels: h, stateSize: n, length: 1).linInitialization()
            logA = Parameter(Tensor(shape: [h, n], scalars: logAReal))
            second = Parameter(Tensor(shape: [h, n], scalars: aImag))
            c = Parameter(Tensor(shape: [h, n, 2], normalMean: 0, std: Float(0.5).squareRoot(), generator: &generator))
        }
        dSkip = Parameter(Tensor(shape: [h], normalMean: 0, std: 1, generator: &generator))
    }

    public func namedParameters() -> [(String, Parameter)] {
        switch mode {
        case .real: return [("log_dt", logDt), ("log_A", logA), ("B", second), ("C", c), ("D", dSkip)]
        case .complex: return [("log_dt", logDt), ("log_A_real", logA), ("A_imag", second), ("C", c), ("D", dSkip)]
        }
    }

    /// Floats of recurrent state per row: H·N (real) or H·N·2 (complex).
    public var stateShape: [Int] { mode == .real ? [channels, stateSize] : [channels, stateSize, 2] }

    /// Parallel, differentiable: `[B, T, H]` → `[B, T, H]`, one tape op.
    public func callAsFunction(_ u: Variable, resetMask: Tensor?) -> Variable {
        precondition(u.rank == 3 && u.shape[2] == channels, "S4DLayer: input shape \(u.shape), expected [batch, time, \(channels)]")
        let (b, t, h, n) = (u.shape[0], u.shape[1], channels, stateSize)
        let tape = u.tape
        let params = [logDt, logA, second, c, dSkip].map { tape.variable($0) }
        let values = [u.value] + params.map(\.value)
        let mode = self.mode
        let conv = S4DConvolution(batch: b, length: t, channels: h)
        var kernel = Tensor(uninitializedShape: [t, h])
        withBuffers(values) { p in
            kernel.withUnsafeMutableBufferPointer { Self.kernelForward(mode, h, n, t, p[1], p[2], p[3], p[4], $0) }
        }
        var y = Tensor(uninitializedShape: [b, t, h])
        withBuffers([values[0], kernel, values[5]]) { p in
            withOptionalBuffer(resetMask) { r in
                y.withUnsafeMutableBufferPointer { conv.forward(u: p[0], K: p[1], D: p[2], reset: r, y: $0) }
            }
        }
        let shapes = params.map(\.shape)
        return tape.record(y, inputs: [u] + params) { g, _ in
            var du = Tensor(uninitializedShape: [b, t, h]), dK = Tensor(uninitializedShape: [t, h])
            var dD = Tensor(uninitializedShape: [h])
            withBuffers([values[0], kernel, values[5], g]) { p in
                withOptionalBuffer(resetMask) { r in
                    du.withUnsafeMutableBufferPointer { pdu in
                        dK.withUnsafeMutableBufferPointer { pdk in
                            dD.withUnsafeMutableBufferPointer { pdd in
                                conv.backward(u: p[0], K: p[1], D: p[2], reset: r, dy: p[3], du: pdu, dK: pdk, dD: pdd)
                            }
                        }
                    }
                }
            }
            var g0 = Tensor(uninitializedShape: shapes[0]), g1 = Tensor(uninitializedShape: shapes[1])
            var g2 = Tensor(uninitializedShape: shapes[2]), g3 = Tensor(uninitializedShape: shapes[3])
            withBuffers(values + [dK]) { p in
                g0.withUnsafeMutableBufferPointer { p0 in
                    g1.withUnsafeMutableBufferPointer { p1 in
                        g2.withUnsafeMutableBufferPointer { p2 in
                            g3.withUnsafeMutableBufferPointer { p3 in
                                Self.kernelBackward(mode, h, n, t, p[1], p[2], p[3], p[4], p[6], p0, p1, p2, p3)
                            }
                        }
                    }
                }
            }
            return [du, g0, g1, g2, g3, dD]
        }
    }

    private static func kernelForward(_ mode: Mode, _ h: Int, _ n: Int, _ t: Int, _ logDt: UnsafeBufferPointer<Float>,
                                      _ a: UnsafeBufferPointer<Float>, _ s: UnsafeBufferPointer<Float>,
                                      _ c: UnsafeBufferPointer<Float>, _ k: UnsafeMutableBufferPointer<Float>) {
        switch mode {
        case .real: S4DRealKernel(channels: h, stateSize: n, length: t).forward(logDt: logDt, logA: a, B: s, C: c, K: k)
        case .complex: S4DLinKernel(channels: h, stateSize: n, length: t).forward(logDt: logDt, logAReal: a, AImag: s, C: c, K: k)
        }
    }

    private static func kernelBackward(_ mode: Mode, _ h: Int, _ n: Int, _ t: Int, _ logDt: UnsafeBufferPointer<Float>,
                                       _ a: UnsafeBufferPointer<Float>, _ s: UnsafeBufferPointer<Float>,
                                       _ c: UnsafeBufferPointer<Float>, _ dK: UnsafeBufferPointer<Float>,
                                       _ dLogDt: UnsafeMutableBufferPointer<Float>, _ dA: UnsafeMutableBufferPointer<Float>,
                                       _ dS: UnsafeMutableBufferPointer<Float>, _ dC: UnsafeMutableBufferPointer<Float>) {
        switch mode {
        case .real:
            S4DRealKernel(channels: h, stateSize: n, length: t).backward(logDt: logDt, logA: a, B: s, C: c, dK: dK, dLogDt: dLogDt,
                                                                         dLogA: dA, dB: dS, dC: dC)
        case .complex:
            S4DLinKernel(channels: h, stateSize: n, length: t).backward(logDt: logDt, logAReal: a, AImag: s, C: c, dK: dK,
                                                                        dLogDt: dLogDt, dLogAReal: dA, dAImag: dS, dC: dC)
        }
    }

    /// One recurrent step without a tape: `u` [rows, H] → [rows, H]; `state`
    /// [rows] + `stateShape` advances in place. Discretises (H·N exps) per call.
    public func step(_ u: Tensor, state: inout Tensor) -> Tensor {
        let rows = u.shape[0]
        precondition(u.shape == [rows, channels] && state.shape == [rows] + stateShape,
                     "S4DLayer.step: input \(u.shape), state \(state.shape), expected [rows, \(channels)] and [rows] + \(stateShape)")
        let (h, n) = (channels, stateSize)
        let complexShape = mode == .real ? [h, n] : [h, n, 2]
        var dA = Tensor(uninitializedShape: complexShape), dB = Tensor(uninitializedShape: complexShape)
        withBuffers([logDt.value, logA.value, second.value]) { p in
            dA.withUnsafeMutableBufferPointer { pa in
                dB.withUnsafeMutableBufferPointer { pb in
                    switch mode {
                    case .real: S4DRealKernel(channels: h, stateSize: n, length: 1).discretize(logDt: p[0], logA: p[1], B: p[2], dA: pa, dB: pb)
                    case .complex:
                        S4DLinKernel(channels: h, stateSize: n, length: 1).discretize(logDt: p[0], logAReal: p[1], AImag: p[2], dA: pa, dB: pb)
                    }
                }
            }
        }
        var y = Tensor(uninitializedShape: [rows, h])
        let conv = S4DConvolution(batch: rows, length: 1, channels: h)
        withBuffers([u, dA, dB, c.value, dSkip.value]) { p in
            state.withUnsafeMutableBufferPointer { ps in
                y.withUnsafeMutableBufferPointer { py in
                    switch mode {
                    case .real: conv.step(u: p[0], dA: p[1], dB: p[2], C: p[3], D: p[4], stateSize: n, state: ps, y: py)
                    case .complex: conv.complexStep(u: p[0], dA: p[1], dB: p[2], C: p[3], D: p[4], stateSize: n, state: ps, y: py)
                    }
                }
            }
        }
        return y
    }
}
