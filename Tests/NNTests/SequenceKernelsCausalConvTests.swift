import Foundation
import NN
import SeededRandom
import XCTest

/// Tests of `CausalDepthwiseConv1D`: forward against plain loops of PyTorch's
/// definition, backward against central differences, the rolling-state step
/// against the forward (1e-4), `finalState`, causality, and the threaded split.
final class SequenceKernelsCausalConvTests: XCTestCase {
    struct Inputs {
        var x, w, bias: [Float]
    }

    static func makeInputs(_ c: CausalDepthwiseConv1D, seed: UInt64) -> Inputs {
        var rng = SeededGenerator(seed: seed)
        return Inputs(x: SeqKernelCheck.normal(c.batch * c.length * c.channels, &rng),
                      w: SeqKernelCheck.normal(c.channels * c.kernelSize, std: 0.5, &rng),
                      bias: SeqKernelCheck.normal(c.channels, &rng))
    }

    static func forward(_ c: CausalDepthwiseConv1D, _ v: Inputs, reset: [Float]? = nil) -> [Float] {
        let x = KernelTestBuffer(v.x), w = KernelTestBuffer(v.w), b = KernelTestBuffer(v.bias)
        let y = KernelTestBuffer(zeros: v.x.count), rb = reset.map { KernelTestBuffer($0) }
        c.forward(x: x.r, weight: w.r, bias: b.r, reset: rb?.r, y: y.w)
        withExtendedLifetime((x, w, b, rb)) {}
        return y.array
    }

    static func backward(_ c: CausalDepthwiseConv1D, _ v: Inputs, dy: [Float], reset: [Float]? = nil) -> Inputs {
        let x = KernelTestBuffer(v.x), w = KernelTestBuffer(v.w), g = KernelTestBuffer(dy)
        let rb = reset.map { KernelTestBuffer($0) }
        let dx = KernelTestBuffer(zeros: v.x.count), dw = KernelTestBuffer(zeros: v.w.count)
        let db = KernelTestBuffer(zeros: v.bias.count)
        c.backward(x: x.r, weight: w.r, reset: rb?.r, dy: g.r, dx: dx.w, dWeight: dw.w, dBias: db.w)
        withExtendedLifetime((x, w, g, rb)) {}
        return Inputs(x: dx.array, w: dw.array, bias: db.array)
    }

    /// nn.Conv1d(groups=D, padding=K-1)[..., :L] written out, in Double; inputs
    /// before the latest reset at or before t are treated as 0.
    static func reference(_ c: CausalDepthwiseConv1D, _ v: Inputs, reset: [Float]? = nil) -> [Float] {
        let (bs, l, dm, k) = (c.batch, c.length, c.channels, c.kernelSize)
        var y = [Float](repeating: 0, count: bs * l * dm)
        for b in 0 ..< bs {
            var start = 0
            for t in 0 ..< l {
                if let reset, reset[b * l + t] != 0 { start = t }
                for d in 0 ..< dm {
                    // Padded input index p = t + j covers x[t + j - (K-1)].
                    var acc = Double(v.bias[d])
                    for j in 0 ..< k where t + j - (k - 1) >= start {
                        acc += Double(v.w[d * k + j]) * Double(v.x[(b * l + t + j - (k - 1)) * dm + d])
                    }
                    y[(b * l + t) * dm + d] = Float(acc)
                }
            }
        }
        return y
    }

    func testForwardMatchesReference() {
        let c = CausalDepthwiseConv1D(batch: 2, length: 7, channels: 5, kernelSize: 4)
        let v = Self.makeInputs(c, seed: 21)
        let err = SeqKernelCheck.relativeError(Self.forward(c, v), Self.reference(c, v))
        SeqKernelCheck.report("conv forward vs reference", err)
        XCTAssertLessThan(err, 1e-6)
    }

    /// Element 0: a new segment at t = 3; element 1: at t = 0 and t = 4.
    static func resetMask(length l: Int) -> [Float] {
        var m = [Float](repeating: 0, count: 2 * l)
        m[3] = 1
        m[l] = 1
        m[l + 4] = 1
        return m
    }

    func testResetsMatchReference() {
        let c = CausalDepthwiseConv1D(batch: 2, length: 8, channels: 5, kernelSize: 4)
        let v = Self.makeInputs(c, seed: 29)
        let reset = Self.resetMask(length: 8)
        let err = SeqKernelCheck.relativeError(Self.forward(c, v, reset: reset), Self.reference(c, v, reset: reset))
        XCTAssertLessThan(err, 1e-6)
        XCTAssertNotEqual(Self.forward(c, v, reset: reset), Self.forward(c, v))
    }

    func testBackwardWithResetsMatchesCentralDifferences() {
        checkBackward(reset: Self.resetMask(length: 6))
    }

    func testBackwardMatchesCentralDifferences() {
        checkBackward(reset: nil)
    }

    func checkBackward(reset: [Float]?) {
        let c = CausalDepthwiseConv1D(batch: 2, length: 6, channels: 3, kernelSize: 4)
        let v = Self.makeInputs(c, seed: 22)
        var rng = SeededGenerator(seed: 23)
        let r = SeqKernelCheck.normal(v.x.count, &rng)
        let g = Self.backward(c, v, dy: r, reset: reset)
        let checks: [(String, WritableKeyPath<Inputs, [Float]>, [Float])] = [
            ("x", \.x, g.x), ("weight", \.w, g.w), ("bias", \.bias, g.bias),
        ]
        for (name, path, analytic) in checks {
            let label = "conv \(name)\(reset == nil ? "" : " (resets)")"
            SeqKernelCheck.checkGradient(label, analytic: analytic, at: v[keyPath: path]) { values in
                var p = v
                p[keyPath: path] = values
                return SeqKernelCheck.dot(Self.forward(c, p, reset: reset), r)
            }
        }
    }

    func testStepMatchesForwardAndFinalState() {
        for length in [2, 9] {  // shorter and longer than the K-1 = 3 state
            let c = CausalDepthwiseConv1D(batch: 3, length: length, channels: 6, kernelSize: 4)
            let v = Self.makeInputs(c, seed: 24)
            let y = Self.forward(c, v)
            let (bs, l, dm, k) = (c.batch, c.length, c.channels, c.kernelSize)
            let w = KernelTestBuffer(v.w), bias = KernelTestBuffer(v.bias)
            let state = KernelTestBuffer(zeros: bs * dm * (k - 1))
            var yStep = [Float](repeating: 0, count: y.count)
            for t in 0 ..< l {
                var xt = [Float]()
                for b in 0 ..< bs { xt += v.x[(b * l + t) * dm ..< (b * l + t + 1) * dm] }
                let xb = KernelTestBuffer(xt), yt = KernelTestBuffer(zeros: bs * dm)
                c.step(x: xb.r, weight: w.r, bias: bias.r, state: state.w, y: yt.w)
                withExtendedLifetime(xb) {}
                for b in 0 ..< bs {
                    for d in 0 ..< dm { yStep[(b * l + t) * dm + d] = yt.storage[b * dm + d] }
                }
            }
            let err = SeqKernelCheck.maxAbsDifference(yStep, y)
            SeqKernelCheck.report("conv step vs forward max abs (L=\(length))", Double(err))
            XCTAssertLessThan(err, 1e-5)
            let x = KernelTestBuffer(v.x), final = KernelTestBuffer(zeros: bs * dm * (k - 1))
            c.finalState(x: x.r, state: final.w)
            XCTAssertEqual(final.array, state.array, "finalState must equal the stepped state (L=\(length))")
            withExtendedLifetime((w, bias, x)) {}
        }
    }

    /// Stepping with the state zeroed at each reset equals the forward with resets,
    /// and `finalState` with resets equals the stepped state.
    func testStepWithResetsMatchesForward() {
        let c = CausalDepthwiseConv1D(batch: 2, length: 9, channels: 4, kernelSize: 4)
        let v = Self.makeInputs(c, seed: 30)
        let reset = Self.resetMask(length: 9)
        let y = Self.forward(c, v, reset: reset)
        let (l, dm, s) = (c.length, c.channels, c.kernelSize - 1)
        let w = KernelTestBuffer(v.w), bias = KernelTestBuffer(v.bias), state = KernelTestBuffer(zeros: 2 * dm * s)
        let stepper = CausalDepthwiseConv1D(batch: 2, length: 1, channels: dm, kernelSize: c.kernelSize)
        var yStep = [Float](repeating: 0, count: y.count)
        for t in 0 ..< l {
            var xt = [Float]()
            for b in 0 ..< 2 {
                xt += v.x[(b * l + t) * dm ..< (b * l + t + 1) * dm]
                if reset[b * l + t] != 0 { for i in b * dm * s ..< (b + 1) * dm * s { state.storage[i] = 0 } }
            }
            let xb = KernelTestBuffer(xt), yt = KernelTestBuffer(zeros: 2 * dm)
            stepper.step(x: xb.r, weight: w.r, bias: bias.r, state: state.w, y: yt.w)
            withExtendedLifetime(xb) {}
            for b in 0 ..< 2 { for d in 0 ..< dm { yStep[(b * l + t) * dm + d] = yt.storage[b * dm + d] } }
        }
        XCTAssertLessThan(SeqKernelCheck.maxAbsDifference(yStep, y), 1e-5)
        let x = KernelTestBuffer(v.x), rb = KernelTestBuffer(reset), final = KernelTestBuffer(zeros: 2 * dm * s)
        c.finalState(x: x.r, reset: rb.r, state: final.w)
        XCTAssertEqual(final.array, state.array)
        // Element 1's last reset is at t = 4, beyond K-1 steps back: no zeros expected there;
        // a reset at t = 7 would leave one input: check that case directly.
        var late = reset
        late[l + 7] = 1
        let rl = KernelTestBuffer(late)
        c.finalState(x: x.r, reset: rl.r, state: final.w)
        for d in 0 ..< dm {
            let row = Array(final.array[(dm + d) * s ..< (dm + d + 1) * s])
            XCTAssertEqual(row, [0, v.x[(l + 7) * dm + d], v.x[(l + 8) * dm + d]])
        }
        withExtendedLifetime((w, bias, x, rb, rl)) {}
    }

    func testCausality() {
        let c = CausalDepthwiseConv1D(batch: 2, length: 8, channels: 3, kernelSize: 4)
        let v = Self.makeInputs(c, seed: 25)
        let y = Self.forward(c, v)
        let tChange = 5
        var v2 = v
        for b in 0 ..< c.batch {
            for i in (b * c.length + tChange) * c.channels ..< (b + 1) * c.length * c.channels { v2.x[i] += 1 }
        }
        let y2 = Self.forward(c, v2)
        for b in 0 ..< c.batch {
            let lo = b * c.length * c.channels
            XCTAssertEqual(Array(y[lo ..< lo + tChange * c.channels]), Array(y2[lo ..< lo + tChange * c.channels]))
            XCTAssertNotEqual(Array(y[lo + tChange * c.channels ..< lo + c.length * c.channels]),
                              Array(y2[lo + tChange * c.channels ..< lo + c.length * c.channels]))
        }
    }

    func testThreadedBatchSplitMatchesPerElementCalls() {
        let c = CausalDepthwiseConv1D(batch: 6, length: 32, channels: 256, kernelSize: 4)
        let v = Self.makeInputs(c, seed: 26)
        var rng = SeededGenerator(seed: 27)
        let dy = SeqKernelCheck.normal(v.x.count, &rng)
        let y = Self.forward(c, v)
        let g = Self.backward(c, v, dy: dy)
        let one = CausalDepthwiseConv1D(batch: 1, length: c.length, channels: c.channels, kernelSize: c.kernelSize)
        let seq = c.length * c.channels
        var dw = [Float](repeating: 0, count: v.w.count), db = [Float](repeating: 0, count: v.bias.count)
        for b in 0 ..< c.batch {
            let vb = Inputs(x: Array(v.x[b * seq ..< (b + 1) * seq]), w: v.w, bias: v.bias)
            XCTAssertEqual(Self.forward(one, vb), Array(y[b * seq ..< (b + 1) * seq]))
            let gb = Self.backward(one, vb, dy: Array(dy[b * seq ..< (b + 1) * seq]))
            XCTAssertEqual(gb.x, Array(g.x[b * seq ..< (b + 1) * seq]))
            for i in dw.indices { dw[i] += gb.w[i] }
            for i in db.indices { db[i] += gb.bias[i] }
        }
        XCTAssertLessThan(SeqKernelCheck.relativeError(g.w, dw), 1e-5)
        XCTAssertLessThan(SeqKernelCheck.relativeError(g.bias, db), 1e-5)
    }
}
