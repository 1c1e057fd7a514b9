import Foundation
import NN
import SeededRandom
import XCTest

/// Tests of `S4DLinKernel` (complex diagonal A) and the complex recurrence
/// `S4DConvolution.complexStep`: the kernel against the s4d.py formula in
/// Double, its backward against central differences, and the recurrence
/// against the convolution (1e-4).
final class SequenceKernelsS4DLinTests: XCTestCase {
    struct Parameters {
        var logDt, logAReal, AImag, C: [Float]
    }

    /// S4D-Lin init with a little noise; dt in [0.01, 0.2]; C ~ N(0, 0.25), complex.
    static func makeParameters(_ k: S4DLinKernel, seed: UInt64) -> Parameters {
        var rng = SeededGenerator(seed: seed)
        let (logAReal, aImag) = k.linInitialization()
        let count = k.channels * k.stateSize
        return Parameters(logDt: SeqKernelCheck.uniform(k.channels, log(0.01), log(0.2), &rng),
                          logAReal: logAReal.map { $0 + rng.uniform(-0.1, 0.1) },
                          AImag: aImag.map { $0 + rng.uniform(-0.1, 0.1) },
                          C: SeqKernelCheck.normal(2 * count, std: 0.5, &rng))
    }

    static func kernel(_ k: S4DLinKernel, _ p: Parameters) -> [Float] {
        let ld = KernelTestBuffer(p.logDt), lar = KernelTestBuffer(p.logAReal), ai = KernelTestBuffer(p.AImag)
        let c = KernelTestBuffer(p.C), out = KernelTestBuffer(zeros: k.length * k.channels)
        k.forward(logDt: ld.r, logAReal: lar.r, AImag: ai.r, C: c.r, K: out.w)
        withExtendedLifetime((ld, lar, ai, c)) {}
        return out.array
    }

    func testLinInitialization() {
        let (logAReal, aImag) = S4DLinKernel(channels: 2, stateSize: 3, length: 1).linInitialization()
        XCTAssertEqual(logAReal.map { -exp($0) }, [Float](repeating: -0.5, count: 6))
        XCTAssertEqual(aImag, [0, .pi, 2 * .pi, 0, .pi, 2 * .pi])
    }

    func testKernelMatchesS4DFormula() {
        let k = S4DLinKernel(channels: 3, stateSize: 4, length: 16)
        let p = Self.makeParameters(k, seed: 41)
        var ref = [Float](repeating: 0, count: k.length * k.channels)
        for h in 0 ..< k.channels {
            let dt = exp(Double(p.logDt[h]))
            for l in 0 ..< k.length {
                var acc = 0.0
                for n in 0 ..< k.stateSize {
                    let i = h * k.stateSize + n
                    let (ar, ai) = (-exp(Double(p.logAReal[i])), Double(p.AImag[i]))
                    // Z = (exp(dt A) - 1) / A
                    let (er, ei) = (exp(dt * ar) * cos(dt * ai) - 1, exp(dt * ar) * sin(dt * ai))
                    let den = ar * ar + ai * ai
                    let (zr, zi) = ((er * ar + ei * ai) / den, (ei * ar - er * ai) / den)
                    // W = C Z; term = W exp(l dt A)
                    let (cr, ci) = (Double(p.C[2 * i]), Double(p.C[2 * i + 1]))
                    let (wr, wi) = (cr * zr - ci * zi, cr * zi + ci * zr)
                    let m = exp(Double(l) * dt * ar), ph = Double(l) * dt * ai
                    acc += 2 * (wr * m * cos(ph) - wi * m * sin(ph))
                }
                ref[l * k.channels + h] = Float(acc)
            }
        }
        let err = SeqKernelCheck.relativeError(Self.kernel(k, p), ref)
        SeqKernelCheck.report("s4d-lin kernel vs formula", err)
        XCTAssertLessThan(err, 1e-6)
    }

    func testKernelBackwardMatchesCentralDifferences() {
        let k = S4DLinKernel(channels: 3, stateSize: 4, length: 10)
        let p = Self.makeParameters(k, seed: 42)
        var rng = SeededGenerator(seed: 43)
        let r = SeqKernelCheck.normal(k.length * k.channels, &rng)
        let ld = KernelTestBuffer(p.logDt), lar = KernelTestBuffer(p.logAReal), ai = KernelTestBuffer(p.AImag)
        let c = KernelTestBuffer(p.C), dK = KernelTestBuffer(r)
        let gDt = KernelTestBuffer(zeros: 3), gAr = KernelTestBuffer(zeros: 12), gAi = KernelTestBuffer(zeros: 12)
        let gC = KernelTestBuffer(zeros: 24)
        k.backward(logDt: ld.r, logAReal: lar.r, AImag: ai.r, C: c.r, dK: dK.r,
                   dLogDt: gDt.w, dLogAReal: gAr.w, dAImag: gAi.w, dC: gC.w)
        withExtendedLifetime((ld, lar, ai, c, dK)) {}
        let checks: [(String, WritableKeyPath<Parameters, [Float]>, [Float])] = [
            ("log_dt", \.logDt, gDt.array), ("log_A_real", \.logAReal, gAr.array),
            ("A_imag", \.AImag, gAi.array), ("C", \.C, gC.array),
        ]
        for (name, path, analytic) in checks {
            SeqKernelCheck.checkGradient("s4d-lin kernel \(name)", analytic: analytic, at: p[keyPath: path]) { v in
                var q = p
                q[keyPath: path] = v
                return SeqKernelCheck.dot(Self.kernel(k, q), r)
            }
        }
    }

    func testComplexRecurrenceMatchesConvolution() {
        let (bs, l, h, n) = (2, 30, 4, 8)
        let k = S4DLinKernel(channels: h, stateSize: n, length: l)
        let p = Self.makeParameters(k, seed: 44)
        var rng = SeededGenerator(seed: 45)
        let u = SeqKernelCheck.normal(bs * l * h, &rng), dSkip = SeqKernelCheck.normal(h, &rng)
        let s = S4DConvolution(batch: bs, length: l, channels: h)
        let y = SequenceKernelsS4DTests.convolve(s, u: u, K: Self.kernel(k, p), D: dSkip)

        let ld = KernelTestBuffer(p.logDt), lar = KernelTestBuffer(p.logAReal), ai = KernelTestBuffer(p.AImag)
        let c = KernelTestBuffer(p.C), d = KernelTestBuffer(dSkip)
        let dA = KernelTestBuffer(zeros: 2 * h * n), dB = KernelTestBuffer(zeros: 2 * h * n)
        k.discretize(logDt: ld.r, logAReal: lar.r, AImag: ai.r, dA: dA.w, dB: dB.w)
        let stepper = S4DConvolution(batch: bs, length: 1, channels: h)
        let state = KernelTestBuffer(zeros: bs * h * n * 2)
        var yStep = [Float](repeating: 0, count: y.count)
        for t in 0 ..< l {
            var ut = [Float]()
            for b in 0 ..< bs { ut += u[(b * l + t) * h ..< (b * l + t + 1) * h] }
            let ub = KernelTestBuffer(ut), yt = KernelTestBuffer(zeros: bs * h)
            stepper.complexStep(u: ub.r, dA: dA.r, dB: dB.r, C: c.r, D: d.r, stateSize: n, state: state.w, y: yt.w)
            withExtendedLifetime(ub) {}
            for b in 0 ..< bs {
                for j in 0 ..< h { yStep[(b * l + t) * h + j] = yt.storage[b * h + j] }
            }
        }
        let err = SeqKernelCheck.maxAbsDifference(yStep, y)
        SeqKernelCheck.report("s4d-lin step vs conv max abs", Double(err))
        XCTAssertLessThan(err, 1e-4)

        let ub = KernelTestBuffer(u), final = KernelTestBuffer(zeros: bs * h * n * 2)
        s.complexFinalState(u: ub.r, dA: dA.r, dB: dB.r, stateSize: n, state: final.w)
        XCTAssertLessThan(SeqKernelCheck.maxAbsDifference(final.array, state.array), 1e-5)

        // A reset at l = 20 in both elements: the final state equals that of the suffix alone.
        var reset = [Float](repeating: 0, count: bs * l)
        reset[20] = 1
        reset[l + 20] = 1
        let rb = KernelTestBuffer(reset), withReset = KernelTestBuffer(zeros: bs * h * n * 2)
        s.complexFinalState(u: ub.r, dA: dA.r, dB: dB.r, reset: rb.r, stateSize: n, state: withReset.w)
        var suffix = [Float]()
        for b in 0 ..< bs { suffix += u[(b * l + 20) * h ..< (b + 1) * l * h] }
        let sb = KernelTestBuffer(suffix), suffixState = KernelTestBuffer(zeros: bs * h * n * 2)
        S4DConvolution(batch: bs, length: l - 20, channels: h)
            .complexFinalState(u: sb.r, dA: dA.r, dB: dB.r, stateSize: n, state: suffixState.w)
        XCTAssertEqual(withReset.array, suffixState.array)
        withExtendedLifetime((ld, lar, ai, c, d, ub, rb, sb)) {}
    }
}
