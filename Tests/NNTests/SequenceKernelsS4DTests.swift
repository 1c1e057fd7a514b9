import Foundation
import NN
import SeededRandom
import XCTest

/// Tests of `S4DRealKernel` and `S4DConvolution`: the kernel against
/// torch_bench.S4DReal's formula in Double, both backwards against central
/// differences, the recurrence against the convolution (1e-4), `finalState`,
/// causality, and the threaded split.
final class SequenceKernelsS4DTests: XCTestCase {
    struct Parameters {
        var logDt, logA, B, C, D: [Float]
    }

    /// S4D-Real init (log_A = log(n+1), B = 1, C ~ N(0, 1/N)) with a little noise
    /// so no two entries coincide; dt in [0.01, 0.5].
    static func makeParameters(channels h: Int, stateSize n: Int, seed: UInt64) -> Parameters {
        var rng = SeededGenerator(seed: seed)
        var logA = [Float](), b = [Float]()
        for _ in 0 ..< h {
            for k in 0 ..< n {
                logA.append(log(Float(k + 1)) + rng.uniform(-0.1, 0.1))
                b.append(1 + rng.uniform(-0.2, 0.2))
            }
        }
        return Parameters(logDt: SeqKernelCheck.uniform(h, log(0.01), log(0.5), &rng), logA: logA, B: b,
                          C: SeqKernelCheck.normal(h * n, std: 1 / Float(n).squareRoot(), &rng),
                          D: SeqKernelCheck.normal(h, &rng))
    }

    static func kernel(_ k: S4DRealKernel, _ p: Parameters) -> [Float] {
        let ld = KernelTestBuffer(p.logDt), la = KernelTestBuffer(p.logA), b = KernelTestBuffer(p.B)
        let c = KernelTestBuffer(p.C), out = KernelTestBuffer(zeros: k.length * k.channels)
        k.forward(logDt: ld.r, logA: la.r, B: b.r, C: c.r, K: out.w)
        withExtendedLifetime((ld, la, b, c)) {}
        return out.array
    }

    static func convolve(_ s: S4DConvolution, u: [Float], K: [Float], D: [Float], reset: [Float]? = nil) -> [Float] {
        let ub = KernelTestBuffer(u), kb = KernelTestBuffer(K), db = KernelTestBuffer(D)
        let y = KernelTestBuffer(zeros: u.count), rb = reset.map { KernelTestBuffer($0) }
        s.forward(u: ub.r, K: kb.r, D: db.r, reset: rb?.r, y: y.w)
        withExtendedLifetime((ub, kb, db, rb)) {}
        return y.array
    }

    static func convolveBackward(_ s: S4DConvolution, u: [Float], K: [Float], D: [Float], dy: [Float],
                                 reset: [Float]? = nil) -> (du: [Float], dK: [Float], dD: [Float]) {
        let ub = KernelTestBuffer(u), kb = KernelTestBuffer(K), db = KernelTestBuffer(D), g = KernelTestBuffer(dy)
        let rb = reset.map { KernelTestBuffer($0) }
        let du = KernelTestBuffer(zeros: u.count), dK = KernelTestBuffer(zeros: K.count), dD = KernelTestBuffer(zeros: D.count)
        s.backward(u: ub.r, K: kb.r, D: db.r, reset: rb?.r, dy: g.r, du: du.w, dK: dK.w, dD: dD.w)
        withExtendedLifetime((ub, kb, db, g, rb)) {}
        return (du.array, dK.array, dD.array)
    }

    func testKernelMatchesTorchFormula() {
        let k = S4DRealKernel(channels: 3, stateSize: 5, length: 16)
        let p = Self.makeParameters(channels: 3, stateSize: 5, seed: 31)
        var ref = [Float](repeating: 0, count: k.length * k.channels)
        for h in 0 ..< k.channels {
            let dt = exp(Double(p.logDt[h]))
            for l in 0 ..< k.length {
                var acc = 0.0
                for n in 0 ..< k.stateSize {
                    let i = h * k.stateSize + n
                    let a = -exp(Double(p.logA[i])), dtA = dt * a
                    acc += Double(p.C[i]) * (exp(dtA) - 1) / a * Double(p.B[i]) * exp(dtA * Double(l))
                }
                ref[l * k.channels + h] = Float(acc)
            }
        }
        let err = SeqKernelCheck.relativeError(Self.kernel(k, p), ref)
        SeqKernelCheck.report("s4d kernel vs formula", err)
        XCTAssertLessThan(err, 1e-6)
    }

    func testKernelBackwardMatchesCentralDifferences() {
        let k = S4DRealKernel(channels: 3, stateSize: 4, length: 10)
        let p = Self.makeParameters(channels: 3, stateSize: 4, seed: 32)
        var rng = SeededGenerator(seed: 33)
        let r = SeqKernelCheck.normal(k.length * k.channels, &rng)
        let ld = KernelTestBuffer(p.logDt), la = KernelTestBuffer(p.logA), b = KernelTestBuffer(p.B)
        let c = KernelTestBuffer(p.C), dK = KernelTestBuffer(r)
        let gDt = KernelTestBuffer(zeros: 3), gA = KernelTestBuffer(zeros: 12), gB = KernelTestBuffer(zeros: 12)
        let gC = KernelTestBuffer(zeros: 12)
        k.backward(logDt: ld.r, logA: la.r, B: b.r, C: c.r, dK: dK.r, dLogDt: gDt.w, dLogA: gA.w, dB: gB.w, dC: gC.w)
        withExtendedLifetime((ld, la, b, c, dK)) {}
        let checks: [(String, WritableKeyPath<Parameters, [Float]>, [Float])] = [
            ("log_dt", \.logDt, gDt.array), ("log_A", \.logA, gA.array), ("B", \.B, gB.array), ("C", \.C, gC.array),
        ]
        for (name, path, analytic) in checks {
            SeqKernelCheck.checkGradient("s4d kernel \(name)", analytic: analytic, at: p[keyPath: path]) { v in
                var q = p
                q[keyPath: path] = v
                return SeqKernelCheck.dot(Self.kernel(k, q), r)
            }
        }
    }

    /// Element 0: a new segment at l = 3; element 1: at l = 0 and l = 5.
    static func resetMask(length l: Int) -> [Float] {
        var m = [Float](repeating: 0, count: 2 * l)
        m[3] = 1
        m[l] = 1
        m[l + 5] = 1
        return m
    }

    func testConvolutionBackwardMatchesCentralDifferences() {
        for reset in [nil, Self.resetMask(length: 7)] {
            let s = S4DConvolution(batch: 2, length: 7, channels: 3)
            var rng = SeededGenerator(seed: 34)
            let u = SeqKernelCheck.normal(2 * 7 * 3, &rng), K = SeqKernelCheck.normal(7 * 3, std: 0.5, &rng)
            let D = SeqKernelCheck.normal(3, &rng), r = SeqKernelCheck.normal(2 * 7 * 3, &rng)
            let g = Self.convolveBackward(s, u: u, K: K, D: D, dy: r, reset: reset)
            let tag = reset == nil ? "" : " (resets)"
            SeqKernelCheck.checkGradient("s4d conv u\(tag)", analytic: g.du, at: u) {
                SeqKernelCheck.dot(Self.convolve(s, u: $0, K: K, D: D, reset: reset), r)
            }
            SeqKernelCheck.checkGradient("s4d conv K\(tag)", analytic: g.dK, at: K) {
                SeqKernelCheck.dot(Self.convolve(s, u: u, K: $0, D: D, reset: reset), r)
            }
            SeqKernelCheck.checkGradient("s4d conv D\(tag)", analytic: g.dD, at: D) {
                SeqKernelCheck.dot(Self.convolve(s, u: u, K: K, D: $0, reset: reset), r)
            }
        }
    }

    /// The S4D layer's two modes agree: kernel + convolution vs discretize + L steps.
    func testRecurrenceMatchesConvolution() {
        checkRecurrenceMatchesConvolution(reset: nil)
    }

    /// With resets: the convolution vs steps with the state zeroed at each reset.
    func testRecurrenceWithResetsMatchesConvolution() {
        var reset = [Float](repeating: 0, count: 3 * 40)
        reset[17] = 1       // element 0 at l = 17
        reset[40] = 1       // element 1 at l = 0 and 39
        reset[79] = 1
        checkRecurrenceMatchesConvolution(reset: reset)
    }

    func checkRecurrenceMatchesConvolution(reset: [Float]?) {
        let (bs, l, h, n) = (3, 40, 5, 16)
        let p = Self.makeParameters(channels: h, stateSize: n, seed: 35)
        var rng = SeededGenerator(seed: 36)
        let u = SeqKernelCheck.normal(bs * l * h, &rng)
        let s = S4DConvolution(batch: bs, length: l, channels: h)
        let y = Self.convolve(s, u: u, K: Self.kernel(S4DRealKernel(channels: h, stateSize: n, length: l), p), D: p.D,
                              reset: reset)

        let ld = KernelTestBuffer(p.logDt), la = KernelTestBuffer(p.logA), b = KernelTestBuffer(p.B)
        let c = KernelTestBuffer(p.C), d = KernelTestBuffer(p.D)
        let dA = KernelTestBuffer(zeros: h * n), dB = KernelTestBuffer(zeros: h * n)
        S4DRealKernel(channels: h, stateSize: n, length: l).discretize(logDt: ld.r, logA: la.r, B: b.r, dA: dA.w, dB: dB.w)
        let stepper = S4DConvolution(batch: bs, length: 1, channels: h)
        let state = KernelTestBuffer(zeros: bs * h * n)
        var yStep = [Float](repeating: 0, count: y.count)
        for t in 0 ..< l {
            var ut = [Float]()
            for bi in 0 ..< bs {
                ut += u[(bi * l + t) * h ..< (bi * l + t + 1) * h]
                if let reset, reset[bi * l + t] != 0 { for i in bi * h * n ..< (bi + 1) * h * n { state.storage[i] = 0 } }
            }
            let ub = KernelTestBuffer(ut), yt = KernelTestBuffer(zeros: bs * h)
            stepper.step(u: ub.r, dA: dA.r, dB: dB.r, C: c.r, D: d.r, stateSize: n, state: state.w, y: yt.w)
            withExtendedLifetime(ub) {}
            for bi in 0 ..< bs {
                for j in 0 ..< h { yStep[(bi * l + t) * h + j] = yt.storage[bi * h + j] }
            }
        }
        let err = SeqKernelCheck.maxAbsDifference(yStep, y)
        SeqKernelCheck.report("s4d step vs conv max abs\(reset == nil ? "" : " (resets)")", Double(err))
        XCTAssertLessThan(err, 1e-4)

        let ub = KernelTestBuffer(u), final = KernelTestBuffer(zeros: bs * h * n), rb = reset.map { KernelTestBuffer($0) }
        s.finalState(u: ub.r, dA: dA.r, dB: dB.r, reset: rb?.r, stateSize: n, state: final.w)
        XCTAssertLessThan(SeqKernelCheck.maxAbsDifference(final.array, state.array), 1e-5)
        withExtendedLifetime((ld, la, b, c, d, ub, rb)) {}
    }

    func testConvolutionIsCausal() {
        let s = S4DConvolution(batch: 2, length: 9, channels: 4)
        var rng = SeededGenerator(seed: 37)
        let u = SeqKernelCheck.normal(2 * 9 * 4, &rng), K = SeqKernelCheck.normal(9 * 4, &rng)
        let D = SeqKernelCheck.normal(4, &rng)
        let y = Self.convolve(s, u: u, K: K, D: D)
        let tChange = 4
        var u2 = u
        for b in 0 ..< 2 {
            for i in (b * 9 + tChange) * 4 ..< (b + 1) * 9 * 4 { u2[i] -= 2 }
        }
        let y2 = Self.convolve(s, u: u2, K: K, D: D)
        for b in 0 ..< 2 {
            let lo = b * 9 * 4
            XCTAssertEqual(Array(y[lo ..< lo + tChange * 4]), Array(y2[lo ..< lo + tChange * 4]))
            XCTAssertNotEqual(Array(y[lo + tChange * 4 ..< lo + 36]), Array(y2[lo + tChange * 4 ..< lo + 36]))
        }
    }

    func testThreadedBatchSplitMatchesPerElementCalls() {
        let (bs, l, h) = (6, 32, 128)
        let s = S4DConvolution(batch: bs, length: l, channels: h)
        var rng = SeededGenerator(seed: 38)
        let u = SeqKernelCheck.normal(bs * l * h, &rng), K = SeqKernelCheck.normal(l * h, std: 0.3, &rng)
        let D = SeqKernelCheck.normal(h, &rng), dy = SeqKernelCheck.normal(bs * l * h, &rng)
        let y = Self.convolve(s, u: u, K: K, D: D)
        let g = Self.convolveBackward(s, u: u, K: K, D: D, dy: dy)
        let one = S4DConvolution(batch: 1, length: l, channels: h)
        var dK = [Float](repeating: 0, count: K.count), dD = [Float](repeating: 0, count: h)
        for b in 0 ..< bs {
            let r = b * l * h ..< (b + 1) * l * h
            XCTAssertEqual(Self.convolve(one, u: Array(u[r]), K: K, D: D), Array(y[r]))
            let gb = Self.convolveBackward(one, u: Array(u[r]), K: K, D: D, dy: Array(dy[r]))
            XCTAssertEqual(gb.du, Array(g.du[r]))
            for i in dK.indices { dK[i] += gb.dK[i] }
            for i in dD.indices { dD[i] += gb.dD[i] }
        }
        XCTAssertLessThan(SeqKernelCheck.relativeError(g.dK, dK), 1e-5)
        XCTAssertLessThan(SeqKernelCheck.relativeError(g.dD, dD), 1e-5)
    }
}
