import Foundation
import NN
import SeededRandom
import XCTest

/// Tests of `SelectiveScan`: forward against a plain Double reference, backward
/// against central differences (tolerance in `SeqKernelCheck`), the recurrent
/// step against the whole-sequence forward (1e-4), causality, and the batch
/// split over threads against one call per batch element.
final class SequenceKernelsSelectiveScanTests: XCTestCase {
    /// Inputs of one scan, as arrays.
    struct Inputs {
        var u, delta, A, B, C, D, h0: [Float]
    }

    static func makeInputs(_ s: SelectiveScan, seed: UInt64) -> Inputs {
        var rng = SeededGenerator(seed: seed)
        let (b, l, d, n) = (s.batch, s.length, s.channels, s.stateSize)
        return Inputs(
            u: SeqKernelCheck.normal(b * l * d, &rng),
            delta: SeqKernelCheck.uniform(b * l * d, 0.05, 1.0, &rng),
            A: SeqKernelCheck.uniform(d * n, -3.0, -0.3, &rng),
            B: SeqKernelCheck.normal(b * l * n, &rng),
            C: SeqKernelCheck.normal(b * l * n, &rng),
            D: SeqKernelCheck.normal(d, &rng),
            h0: SeqKernelCheck.normal(b * d * n, std: 0.5, &rng))
    }

    /// Runs the kernel's forward; returns (y, final state).
    static func forward(_ s: SelectiveScan, _ x: Inputs, withInitialState: Bool = true,
                        reset: [Float]? = nil) -> ([Float], [Float]) {
        let u = KernelTestBuffer(x.u), dl = KernelTestBuffer(x.delta), a = KernelTestBuffer(x.A)
        let bm = KernelTestBuffer(x.B), cm = KernelTestBuffer(x.C), dd = KernelTestBuffer(x.D), h0 = KernelTestBuffer(x.h0)
        let y = KernelTestBuffer(zeros: s.batch * s.length * s.channels)
        let hLast = KernelTestBuffer(zeros: s.batch * s.channels * s.stateSize)
        let rb = reset.map { KernelTestBuffer($0) }
        s.forward(u: u.r, delta: dl.r, A: a.r, B: bm.r, C: cm.r, D: dd.r,
                  initialState: withInitialState ? h0.r : nil, reset: rb?.r, y: y.w, finalState: hLast.w)
        withExtendedLifetime((u, dl, a, bm, cm, dd, h0, rb)) {}
        return (y.array, hLast.array)
    }

    /// Plain Double loops of the defining recurrence (a reset zeroes the state first).
    static func reference(_ s: SelectiveScan, _ x: Inputs, reset: [Float]? = nil) -> ([Double], [Double]) {
        let (bs, l, dm, n) = (s.batch, s.length, s.channels, s.stateSize)
        var y = [Double](repeating: 0, count: bs * l * dm)
        var h = x.h0.map(Double.init)
        for b in 0 ..< bs {
            for t in 0 ..< l {
                if let reset, reset[b * l + t] != 0 {
                    for i in b * dm * n ..< (b + 1) * dm * n { h[i] = 0 }
                }
                for d in 0 ..< dm {
                    let i = (b * l + t) * dm + d
                    let dt = Double(x.delta[i]), ut = Double(x.u[i])
                    var acc = 0.0
                    for k in 0 ..< n {
                        let hi = (b * dm + d) * n + k, bi = (b * l + t) * n + k
                        h[hi] = exp(dt * Double(x.A[d * n + k])) * h[hi] + dt * ut * Double(x.B[bi])
                        acc += h[hi] * Double(x.C[bi])
                    }
                    y[i] = acc + Double(x.D[d]) * ut
                }
            }
        }
        return (y, h)
    }

    /// Both kernel bodies: any stateSize, and the specialised stateSize 16.
    static let checkedShapes = [
        SelectiveScan(batch: 2, length: 5, channels: 3, stateSize: 4),
        SelectiveScan(batch: 1, length: 4, channels: 2, stateSize: 16),
    ]

    func testForwardMatchesDoubleReference() {
        for s in [SelectiveScan(batch: 3, length: 9, channels: 5, stateSize: 7),
                  SelectiveScan(batch: 2, length: 9, channels: 5, stateSize: 16)] {
            checkForwardAgainstReference(s)
        }
    }

    func checkForwardAgainstReference(_ s: SelectiveScan) {
        let x = Self.makeInputs(s, seed: 11)
        let (y, hLast) = Self.forward(s, x)
        let (yRef, hRef) = Self.reference(s, x)
        let errY = SeqKernelCheck.relativeError(y, yRef.map(Float.init))
        let errH = SeqKernelCheck.relativeError(hLast, hRef.map(Float.init))
        SeqKernelCheck.report("scan forward vs double (N=\(s.stateSize))", errY)
        SeqKernelCheck.report("scan final state vs double (N=\(s.stateSize))", errH)
        XCTAssertLessThan(errY, 1e-5)
        XCTAssertLessThan(errH, 1e-5)
    }

    func testBackwardMatchesCentralDifferences() {
        for s in Self.checkedShapes { checkBackwardAgainstCentralDifferences(s) }
    }

    func testBackwardWithResetsMatchesCentralDifferences() {
        for s in Self.checkedShapes { checkBackwardAgainstCentralDifferences(s, reset: Self.resetMask(s)) }
    }

    /// Resets at t = 2 in batch element 0 and at t = 0 (dropping h0) in element 1.
    static func resetMask(_ s: SelectiveScan) -> [Float] {
        var m = [Float](repeating: 0, count: s.batch * s.length)
        m[min(2, s.length - 1)] = 1
        if s.batch > 1 { m[s.length] = 1 }
        return m
    }

    func testResetsMatchDoubleReference() {
        let s = SelectiveScan(batch: 2, length: 9, channels: 4, stateSize: 16)
        var x = Self.makeInputs(s, seed: 23)
        x.D = x.D.map { _ in 0.5 }
        var reset = [Float](repeating: 0, count: 18)
        reset[4] = 1       // element 0: new segment at t = 4
        reset[9] = 1       // element 1: at t = 0 (ignores h0) and t = 6
        reset[15] = 1
        let (y, h) = Self.forward(s, x, reset: reset)
        let (yRef, hRef) = Self.reference(s, x, reset: reset)
        XCTAssertLessThan(SeqKernelCheck.relativeError(y, yRef.map(Float.init)), 1e-5)
        XCTAssertLessThan(SeqKernelCheck.relativeError(h, hRef.map(Float.init)), 1e-5)
        // The segment after a reset does not see anything before it.
        var x2 = x
        for i in 0 ..< 4 * s.channels { x2.u[i] += 3 }
        let (y2, _) = Self.forward(s, x2, reset: reset)
        XCTAssertEqual(Array(y[4 * s.channels ..< 9 * s.channels]), Array(y2[4 * s.channels ..< 9 * s.channels]))
    }

    func checkBackwardAgainstCentralDifferences(_ s: SelectiveScan, reset: [Float]? = nil) {
        let x = Self.makeInputs(s, seed: 12)
        var rng = SeededGenerator(seed: 13)
        let ry = SeqKernelCheck.normal(s.batch * s.length * s.channels, &rng)
        let rh = SeqKernelCheck.normal(s.batch * s.channels * s.stateSize, &rng)
        func loss(_ x: Inputs) -> Double {
            let (y, h) = Self.forward(s, x, reset: reset)
            return SeqKernelCheck.dot(y, ry) + SeqKernelCheck.dot(h, rh)
        }
        let g = Self.backward(s, x, dy: ry, dFinal: rh, reset: reset)
        let checks: [(String, WritableKeyPath<Inputs, [Float]>, [Float])] = [
            ("u", \.u, g.u), ("delta", \.delta, g.delta), ("A", \.A, g.A), ("B", \.B, g.B),
            ("C", \.C, g.C), ("D", \.D, g.D), ("h0", \.h0, g.h0),
        ]
        for (name, path, analytic) in checks {
            let label = "scan \(name) (N=\(s.stateSize)\(reset == nil ? "" : ", resets"))"
            SeqKernelCheck.checkGradient(label, analytic: analytic, at: x[keyPath: path]) { v in
                var p = x
                p[keyPath: path] = v
                return loss(p)
            }
        }
    }

    /// Runs the kernel's backward; returns gradients as `Inputs`.
    static func backward(_ s: SelectiveScan, _ x: Inputs, dy: [Float], dFinal: [Float]?, reset: [Float]? = nil) -> Inputs {
        let u = KernelTestBuffer(x.u), dl = KernelTestBuffer(x.delta), a = KernelTestBuffer(x.A)
        let bm = KernelTestBuffer(x.B), cm = KernelTestBuffer(x.C), dd = KernelTestBuffer(x.D), h0 = KernelTestBuffer(x.h0)
        let dyb = KernelTestBuffer(dy), dfin = dFinal.map { KernelTestBuffer($0) }
        let gu = KernelTestBuffer(zeros: x.u.count), gdl = KernelTestBuffer(zeros: x.delta.count)
        let ga = KernelTestBuffer(zeros: x.A.count), gb = KernelTestBuffer(zeros: x.B.count)
        let gc = KernelTestBuffer(zeros: x.C.count), gd = KernelTestBuffer(zeros: x.D.count)
        let gh = KernelTestBuffer(zeros: x.h0.count), rb = reset.map { KernelTestBuffer($0) }
        s.backward(u: u.r, delta: dl.r, A: a.r, B: bm.r, C: cm.r, D: dd.r, initialState: h0.r, reset: rb?.r,
                   dy: dyb.r, dFinalState: dfin?.r,
                   du: gu.w, dDelta: gdl.w, dA: ga.w, dB: gb.w, dC: gc.w, dD: gd.w, dInitialState: gh.w)
        withExtendedLifetime((u, dl, a, bm, cm, dd, h0, dyb, dfin, rb)) {}
        return Inputs(u: gu.array, delta: gdl.array, A: ga.array, B: gb.array, C: gc.array, D: gd.array, h0: gh.array)
    }

    func testRecurrentStepMatchesForward() {
        let s = SelectiveScan(batch: 3, length: 12, channels: 6, stateSize: 16)
        var x = Self.makeInputs(s, seed: 14)
        x.h0 = x.h0.map { _ in 0 }
        let (y, hLast) = Self.forward(s, x, withInitialState: false)
        let (bs, l, dm, n) = (s.batch, s.length, s.channels, s.stateSize)
        let state = KernelTestBuffer(zeros: bs * dm * n)
        var yStep = [Float](repeating: 0, count: bs * l * dm)
        for t in 0 ..< l {
            // Gather step t: [B, D] and [B, N] slices.
            var ut = [Float](), dt = [Float](), bt = [Float](), ct = [Float]()
            for b in 0 ..< bs {
                ut += x.u[((b * l + t) * dm) ..< ((b * l + t + 1) * dm)]
                dt += x.delta[((b * l + t) * dm) ..< ((b * l + t + 1) * dm)]
                bt += x.B[((b * l + t) * n) ..< ((b * l + t + 1) * n)]
                ct += x.C[((b * l + t) * n) ..< ((b * l + t + 1) * n)]
            }
            let yt = KernelTestBuffer(zeros: bs * dm)
            let a = KernelTestBuffer(x.A), dd = KernelTestBuffer(x.D)
            let ub = KernelTestBuffer(ut), db = KernelTestBuffer(dt), bb = KernelTestBuffer(bt), cb = KernelTestBuffer(ct)
            s.step(u: ub.r, delta: db.r, A: a.r, B: bb.r, C: cb.r, D: dd.r, state: state.w, y: yt.w)
            withExtendedLifetime((ub, db, bb, cb, a, dd)) {}
            for b in 0 ..< bs {
                for d in 0 ..< dm { yStep[(b * l + t) * dm + d] = yt.storage[b * dm + d] }
            }
        }
        SeqKernelCheck.report("scan step vs forward max abs", Double(SeqKernelCheck.maxAbsDifference(yStep, y)))
        XCTAssertLessThan(SeqKernelCheck.maxAbsDifference(yStep, y), 1e-4)
        XCTAssertLessThan(SeqKernelCheck.maxAbsDifference(state.array, hLast), 1e-4)
    }

    func testCausality() {
        let s = SelectiveScan(batch: 2, length: 10, channels: 4, stateSize: 5)
        let x = Self.makeInputs(s, seed: 15)
        let (y, _) = Self.forward(s, x)
        let tChange = 6
        var x2 = x
        for b in 0 ..< s.batch {
            for t in tChange ..< s.length {
                for d in 0 ..< s.channels {
                    x2.u[(b * s.length + t) * s.channels + d] += 1
                    x2.delta[(b * s.length + t) * s.channels + d] *= 1.5
                }
                for k in 0 ..< s.stateSize { x2.B[(b * s.length + t) * s.stateSize + k] -= 0.7 }
            }
        }
        let (y2, _) = Self.forward(s, x2)
        for b in 0 ..< s.batch {
            let lo = b * s.length * s.channels
            let prefix = lo ..< lo + tChange * s.channels
            XCTAssertEqual(Array(y[prefix]), Array(y2[prefix]), "outputs before t=\(tChange) changed")
            let suffix = lo + tChange * s.channels ..< lo + s.length * s.channels
            XCTAssertNotEqual(Array(y[suffix]), Array(y2[suffix]), "outputs from t=\(tChange) should change")
        }
    }

    /// Large enough to be split over threads: must equal one call per batch element.
    func testThreadedBatchSplitMatchesPerElementCalls() {
        let s = SelectiveScan(batch: 6, length: 32, channels: 64, stateSize: 16)
        let x = Self.makeInputs(s, seed: 16)
        var rng = SeededGenerator(seed: 17)
        let dy = SeqKernelCheck.normal(s.batch * s.length * s.channels, &rng)
        let (y, h) = Self.forward(s, x)
        let g = Self.backward(s, x, dy: dy, dFinal: nil)
        let one = SelectiveScan(batch: 1, length: s.length, channels: s.channels, stateSize: s.stateSize)
        var dASum = [Float](repeating: 0, count: s.channels * s.stateSize), dDSum = [Float](repeating: 0, count: s.channels)
        let (seq, bc, st) = (s.length * s.channels, s.length * s.stateSize, s.channels * s.stateSize)
        for b in 0 ..< s.batch {
            let xb = Inputs(u: Array(x.u[b * seq ..< (b + 1) * seq]), delta: Array(x.delta[b * seq ..< (b + 1) * seq]),
                            A: x.A, B: Array(x.B[b * bc ..< (b + 1) * bc]), C: Array(x.C[b * bc ..< (b + 1) * bc]),
                            D: x.D, h0: Array(x.h0[b * st ..< (b + 1) * st]))
            let (yb, hb) = Self.forward(one, xb)
            XCTAssertEqual(yb, Array(y[b * seq ..< (b + 1) * seq]))
            XCTAssertEqual(hb, Array(h[b * st ..< (b + 1) * st]))
            let gb = Self.backward(one, xb, dy: Array(dy[b * seq ..< (b + 1) * seq]), dFinal: nil)
            XCTAssertEqual(gb.u, Array(g.u[b * seq ..< (b + 1) * seq]))
            XCTAssertEqual(gb.delta, Array(g.delta[b * seq ..< (b + 1) * seq]))
            XCTAssertEqual(gb.B, Array(g.B[b * bc ..< (b + 1) * bc]))
            XCTAssertEqual(gb.C, Array(g.C[b * bc ..< (b + 1) * bc]))
            XCTAssertEqual(gb.h0, Array(g.h0[b * st ..< (b + 1) * st]))
            for i in dASum.indices { dASum[i] += gb.A[i] }
            for i in dDSum.indices { dDSum[i] += gb.D[i] }
        }
        XCTAssertLessThan(SeqKernelCheck.relativeError(g.A, dASum), 1e-5)
        XCTAssertLessThan(SeqKernelCheck.relativeError(g.D, dDSum), 1e-5)
    }

    /// `D: nil` (no skip connection) behaves as D = 0, forward and backward.
    func testWithoutSkipEqualsZeroSkip() {
        let s = SelectiveScan(batch: 2, length: 6, channels: 3, stateSize: 16)
        var x = Self.makeInputs(s, seed: 21)
        x.D = x.D.map { _ in 0 }
        var rng = SeededGenerator(seed: 22)
        let dyValues = SeqKernelCheck.normal(s.batch * s.length * s.channels, &rng)
        let (yZero, _) = Self.forward(s, x, withInitialState: false)
        let gZero = Self.backward(s, x, dy: dyValues, dFinal: nil)
        let u = KernelTestBuffer(x.u), dl = KernelTestBuffer(x.delta), a = KernelTestBuffer(x.A)
        let bm = KernelTestBuffer(x.B), cm = KernelTestBuffer(x.C), h0 = KernelTestBuffer(x.h0), dy = KernelTestBuffer(dyValues)
        let y = KernelTestBuffer(zeros: yZero.count)
        s.forward(u: u.r, delta: dl.r, A: a.r, B: bm.r, C: cm.r, D: nil, y: y.w)
        XCTAssertEqual(y.array, yZero)
        let gu = KernelTestBuffer(zeros: x.u.count), gdl = KernelTestBuffer(zeros: x.u.count)
        let ga = KernelTestBuffer(zeros: x.A.count), gb = KernelTestBuffer(zeros: x.B.count), gc = KernelTestBuffer(zeros: x.C.count)
        s.backward(u: u.r, delta: dl.r, A: a.r, B: bm.r, C: cm.r, D: nil, initialState: h0.r, dy: dy.r,
                   du: gu.w, dDelta: gdl.w, dA: ga.w, dB: gb.w, dC: gc.w, dD: nil)
        XCTAssertEqual(gu.array, gZero.u)
        XCTAssertEqual(gdl.array, gZero.delta)
        XCTAssertEqual(ga.array, gZero.A)
        XCTAssertEqual(gb.array, gZero.B)
        XCTAssertEqual(gc.array, gZero.C)
        withExtendedLifetime((u, dl, a, bm, cm, h0, dy)) {}
    }

    /// A planning-sized batch is split over threads in `step`: equal to per-element steps.
    func testThreadedStepMatchesPerElementSteps() {
        let (bs, dm, n) = (64, 128, 16)
        let s = SelectiveScan(batch: bs, length: 1, channels: dm, stateSize: n)
        let x = Self.makeInputs(s, seed: 20)
        let u = KernelTestBuffer(x.u), dl = KernelTestBuffer(x.delta), a = KernelTestBuffer(x.A)
        let bm = KernelTestBuffer(x.B), cm = KernelTestBuffer(x.C), dd = KernelTestBuffer(x.D)
        let state = KernelTestBuffer(x.h0), y = KernelTestBuffer(zeros: bs * dm)
        s.step(u: u.r, delta: dl.r, A: a.r, B: bm.r, C: cm.r, D: dd.r, state: state.w, y: y.w)
        let one = SelectiveScan(batch: 1, length: 1, channels: dm, stateSize: n)
        let (yAll, stateAll) = (y.array, state.array)
        for b in 0 ..< bs {
            let ub = KernelTestBuffer(Array(x.u[b * dm ..< (b + 1) * dm]))
            let db = KernelTestBuffer(Array(x.delta[b * dm ..< (b + 1) * dm]))
            let bb = KernelTestBuffer(Array(x.B[b * n ..< (b + 1) * n])), cb = KernelTestBuffer(Array(x.C[b * n ..< (b + 1) * n]))
            let sb = KernelTestBuffer(Array(x.h0[b * dm * n ..< (b + 1) * dm * n])), yb = KernelTestBuffer(zeros: dm)
            one.step(u: ub.r, delta: db.r, A: a.r, B: bb.r, C: cb.r, D: dd.r, state: sb.w, y: yb.w)
            withExtendedLifetime((ub, db, bb, cb)) {}
            XCTAssertEqual(yb.array, Array(yAll[b * dm ..< (b + 1) * dm]))
            XCTAssertEqual(sb.array, Array(stateAll[b * dm * n ..< (b + 1) * dm * n]))
        }
        withExtendedLifetime((u, dl, a, bm, cm, dd)) {}
    }
}
