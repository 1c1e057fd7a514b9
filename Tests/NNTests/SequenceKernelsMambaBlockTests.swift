import Foundation
import NN
import TensorCore
import XCTest

/// The `mamba_block` fixture (torch_bench.MambaBlock(d=4, d_state=3, expand=2,
/// d_conv=4), residual included) reproduced forward and backward by composing
/// the kernels `CausalDepthwiseConv1D` and `SelectiveScan` with plain loops for
/// LayerNorm, the bias-free projections, SiLU and softplus. The fixture exposes
/// no intermediates, so agreement of the block's output and of all eleven
/// parameter gradients (to 1e-5 relative; measured ≤ 3e-7) is what pins the kernels to PyTorch.
final class SequenceKernelsMambaBlockTests: XCTestCase {
    func testMambaBlockMatchesTorch() throws {
        let c = try SequenceKernelsFixtureTests.loadCase("mamba_block")
        let block = try FixtureMambaBlock(c.parameters, batch: 2, length: 5)
        let (out, tape) = block.forward(c.input)
        SequenceKernelsFixtureTests.assertMatches(out, c.output, "mamba_block output", tolerance: 1e-5)
        let (dx, grads) = block.backward(tape, dOut: c.lossWeights)
        SequenceKernelsFixtureTests.assertMatches(dx, c.inputGradient, "mamba_block d input", tolerance: 1e-5)
        for name in FixtureMambaBlock.parameterNames {
            SequenceKernelsFixtureTests.assertMatches(grads[name] ?? [], c.parameterGradients[name],
                                                      "mamba_block d \(name)", tolerance: 1e-5)
        }
    }
}

/// torch_bench.MambaBlock written out over row-major Float arrays (rows = batch·length):
///   xn = LayerNorm(x); [xi, z] = xn W_inᵀ; xs = silu(conv(xi)); [dt_r, B, C] = xs W_xᵀ;
///   Δ = softplus(dt_r W_dtᵀ + b_dt); y = scan(xs, Δ, -exp(A_log), B, C, D);
///   out = x + (y ⊙ silu(z)) W_outᵀ.
struct FixtureMambaBlock {
    static let parameterNames = ["A_log", "D", "norm.weight", "norm.bias", "in_proj.weight", "conv.weight",
                                 "conv.bias", "x_proj.weight", "dt_proj.weight", "dt_proj.bias", "out_proj.weight"]
    let p: [String: [Float]]
    let batch, length, d, di, n, rank, k: Int

    init(_ parameters: [String: [Float]], batch: Int, length: Int) throws {
        p = parameters
        for name in Self.parameterNames { _ = try XCTUnwrap(parameters[name], "mamba_block: no parameter \(name)") }
        self.batch = batch
        self.length = length
        d = parameters["norm.weight"]!.count
        di = parameters["D"]!.count
        n = parameters["A_log"]!.count / di
        rank = parameters["dt_proj.weight"]!.count / di
        k = parameters["conv.weight"]!.count / di
    }

    var rows: Int { batch * length }

    /// y [rows, out] = x [rows, in] · Wᵀ, W [out, in].
    static func linear(_ x: [Float], _ w: [Float], rows: Int, inSize: Int, outSize: Int) -> [Float] {
        var y = [Float](repeating: 0, count: rows * outSize)
        for r in 0 ..< rows {
            for o in 0 ..< outSize {
                var s = 0.0
                for i in 0 ..< inSize { s += Double(x[r * inSize + i]) * Double(w[o * inSize + i]) }
                y[r * outSize + o] = Float(s)
            }
        }
        return y
    }

    /// (dx = dy · W, dW = dyᵀ · x) for `linear`.
    static func linearBackward(_ dy: [Float], _ x: [Float], _ w: [Float], rows: Int, inSize: Int, outSize: Int)
        -> (dx: [Float], dw: [Float]) {
        var dx = [Float](repeating: 0, count: rows * inSize), dw = [Float](repeating: 0, count: outSize * inSize)
        for r in 0 ..< rows {
            for i in 0 ..< inSize {
                var s = 0.0
                for o in 0 ..< outSize { s += Double(dy[r * outSize + o]) * Double(w[o * inSize + i]) }
                dx[r * inSize + i] = Float(s)
            }
        }
        for o in 0 ..< outSize {
            for i in 0 ..< inSize {
                var s = 0.0
                for r in 0 ..< rows { s += Double(dy[r * outSize + o]) * Double(x[r * inSize + i]) }
                dw[o * inSize + i] = Float(s)
            }
        }
        return (dx, dw)
    }

    static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }
    static func silu(_ x: Float) -> Float { x * sigmoid(x) }
    static func siluGrad(_ x: Float) -> Float { let s = sigmoid(x); return s * (1 + x * (1 - s)) }
    static func softplus(_ x: Float) -> Float { x > 20 ? x : log1p(exp(x)) }  // torch: threshold 20

    /// Columns [from, from + width) of a [rows, cols] array.
    static func columns(_ x: [Float], rows: Int, cols: Int, from: Int, width: Int) -> [Float] {
        (0 ..< rows).flatMap { r in x[r * cols + from ..< r * cols + from + width] }
    }

    struct Tape {
        var x, xhat, rstd, xn, xi, z, xc, xs, dbc, dtRaw, dtPre, delta, A, Bm, Cm, y, g: [Float]
    }

    func forward(_ x: [Float]) -> ([Float], Tape) {
        let m = rows
        // LayerNorm (eps 1e-5, biased variance).
        var xhat = [Float](repeating: 0, count: m * d), rstd = [Float](repeating: 0, count: m), xn = xhat
        for r in 0 ..< m {
            let row = x[r * d ..< (r + 1) * d].map(Double.init)
            let mean = row.reduce(0, +) / Double(d)
            let v = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(d)
            let rs = 1 / (v + 1e-5).squareRoot()
            rstd[r] = Float(rs)
            for j in 0 ..< d {
                xhat[r * d + j] = Float((row[j] - mean) * rs)
                xn[r * d + j] = xhat[r * d + j] * p["norm.weight"]![j] + p["norm.bias"]![j]
            }
        }
        let xz = Self.linear(xn, p["in_proj.weight"]!, rows: m, inSize: d, outSize: 2 * di)
        let xi = Self.columns(xz, rows: m, cols: 2 * di, from: 0, width: di)
        let z = Self.columns(xz, rows: m, cols: 2 * di, from: di, width: di)
        // Causal depthwise conv (kernel under test), then SiLU.
        let conv = CausalDepthwiseConv1D(batch: batch, length: length, channels: di, kernelSize: k)
        let xib = KernelTestBuffer(xi), cw = KernelTestBuffer(p["conv.weight"]!), cb = KernelTestBuffer(p["conv.bias"]!)
        let xcb = KernelTestBuffer(zeros: m * di)
        conv.forward(x: xib.r, weight: cw.r, bias: cb.r, y: xcb.w)
        withExtendedLifetime((xib, cw, cb)) {}
        let xc = xcb.array
        let xs = xc.map(Self.silu)
        let width = rank + 2 * n
        let dbc = Self.linear(xs, p["x_proj.weight"]!, rows: m, inSize: di, outSize: width)
        let dtRaw = Self.columns(dbc, rows: m, cols: width, from: 0, width: rank)
        let bm = Self.columns(dbc, rows: m, cols: width, from: rank, width: n)
        let cm = Self.columns(dbc, rows: m, cols: width, from: rank + n, width: n)
        var dtPre = Self.linear(dtRaw, p["dt_proj.weight"]!, rows: m, inSize: rank, outSize: di)
        for r in 0 ..< m { for j in 0 ..< di { dtPre[r * di + j] += p["dt_proj.bias"]![j] } }
        let delta = dtPre.map(Self.softplus)
        let a = p["A_log"]!.map { -exp($0) }
        // Selective scan (kernel under test).
        let scan = SelectiveScan(batch: batch, length: length, channels: di, stateSize: n)
        let ub = KernelTestBuffer(xs), db = KernelTestBuffer(delta), ab = KernelTestBuffer(a), bb = KernelTestBuffer(bm)
        let ccb = KernelTestBuffer(cm), dd = KernelTestBuffer(p["D"]!), yb = KernelTestBuffer(zeros: m * di)
        scan.forward(u: ub.r, delta: db.r, A: ab.r, B: bb.r, C: ccb.r, D: dd.r, y: yb.w)
        withExtendedLifetime((ub, db, ab, bb, ccb, dd)) {}
        let y = yb.array
        let g = (0 ..< m * di).map { y[$0] * Self.silu(z[$0]) }
        let proj = Self.linear(g, p["out_proj.weight"]!, rows: m, inSize: di, outSize: d)
        let out = (0 ..< m * d).map { x[$0] + proj[$0] }
        return (out, Tape(x: x, xhat: xhat, rstd: rstd, xn: xn, xi: xi, z: z, xc: xc, xs: xs, dbc: dbc, dtRaw: dtRaw,
                          dtPre: dtPre, delta: delta, A: a, Bm: bm, Cm: cm, y: y, g: g))
    }

    func backward(_ t: Tape, dOut: [Float]) -> ([Float], [String: [Float]]) {
        let m = rows
        var grads = [String: [Float]]()
        let (dg, dWout) = Self.linearBackward(dOut, t.g, p["out_proj.weight"]!, rows: m, inSize: di, outSize: d)
        grads["out_proj.weight"] = dWout
        let dy = (0 ..< m * di).map { dg[$0] * Self.silu(t.z[$0]) }
        let dz = (0 ..< m * di).map { dg[$0] * t.y[$0] * Self.siluGrad(t.z[$0]) }
        // Selective scan backward (kernel under test).
        let scan = SelectiveScan(batch: batch, length: length, channels: di, stateSize: n)
        let ub = KernelTestBuffer(t.xs), db = KernelTestBuffer(t.delta), ab = KernelTestBuffer(t.A)
        let bb = KernelTestBuffer(t.Bm), cb = KernelTestBuffer(t.Cm), dd = KernelTestBuffer(p["D"]!)
        let dyb = KernelTestBuffer(dy)
        let du = KernelTestBuffer(zeros: m * di), dDelta = KernelTestBuffer(zeros: m * di)
        let dA = KernelTestBuffer(zeros: di * n), dB = KernelTestBuffer(zeros: m * n), dC = KernelTestBuffer(zeros: m * n)
        let dD = KernelTestBuffer(zeros: di)
        scan.backward(u: ub.r, delta: db.r, A: ab.r, B: bb.r, C: cb.r, D: dd.r, dy: dyb.r,
                      du: du.w, dDelta: dDelta.w, dA: dA.w, dB: dB.w, dC: dC.w, dD: dD.w)
        withExtendedLifetime((ub, db, ab, bb, cb, dd, dyb)) {}
        grads["A_log"] = (0 ..< di * n).map { dA.storage[$0] * t.A[$0] }  // A = -exp(A_log)
        grads["D"] = dD.array
        let dtPreGrad = (0 ..< m * di).map { dDelta.storage[$0] * Self.sigmoid(t.dtPre[$0]) }
        let (dDtRaw, dWdt) = Self.linearBackward(dtPreGrad, t.dtRaw, p["dt_proj.weight"]!, rows: m, inSize: rank, outSize: di)
        grads["dt_proj.weight"] = dWdt
        grads["dt_proj.bias"] = (0 ..< di).map { j in (0 ..< m).reduce(Float(0)) { $0 + dtPreGrad[$1 * di + j] } }
        let width = rank + 2 * n
        var ddbc = [Float](repeating: 0, count: m * width)
        for r in 0 ..< m {
            for j in 0 ..< rank { ddbc[r * width + j] = dDtRaw[r * rank + j] }
            for j in 0 ..< n {
                ddbc[r * width + rank + j] = dB.storage[r * n + j]
                ddbc[r * width + rank + n + j] = dC.storage[r * n + j]
            }
        }
        let (dxsProj, dWx) = Self.linearBackward(ddbc, t.xs, p["x_proj.weight"]!, rows: m, inSize: di, outSize: width)
        grads["x_proj.weight"] = dWx
        let dxc = (0 ..< m * di).map { (du.storage[$0] + dxsProj[$0]) * Self.siluGrad(t.xc[$0]) }
        // Causal conv backward (kernel under test).
        let conv = CausalDepthwiseConv1D(batch: batch, length: length, channels: di, kernelSize: k)
        let xib = KernelTestBuffer(t.xi), cw = KernelTestBuffer(p["conv.weight"]!), dxcb = KernelTestBuffer(dxc)
        let dxi = KernelTestBuffer(zeros: m * di), dcw = KernelTestBuffer(zeros: di * k), dcb = KernelTestBuffer(zeros: di)
        conv.backward(x: xib.r, weight: cw.r, dy: dxcb.r, dx: dxi.w, dWeight: dcw.w, dBias: dcb.w)
        withExtendedLifetime((xib, cw, dxcb)) {}
        grads["conv.weight"] = dcw.array
        grads["conv.bias"] = dcb.array
        var dxz = [Float](repeating: 0, count: m * 2 * di)
        for r in 0 ..< m {
            for j in 0 ..< di {
                dxz[r * 2 * di + j] = dxi.storage[r * di + j]
                dxz[r * 2 * di + di + j] = dz[r * di + j]
            }
        }
        let (dxn, dWin) = Self.linearBackward(dxz, t.xn, p["in_proj.weight"]!, rows: m, inSize: d, outSize: 2 * di)
        grads["in_proj.weight"] = dWin
        // LayerNorm backward.
        let gamma = p["norm.weight"]!
        grads["norm.weight"] = (0 ..< d).map { j in (0 ..< m).reduce(Float(0)) { $0 + dxn[$1 * d + j] * t.xhat[$1 * d + j] } }
        grads["norm.bias"] = (0 ..< d).map { j in (0 ..< m).reduce(Float(0)) { $0 + dxn[$1 * d + j] } }
        var dx = dOut  // residual
        for r in 0 ..< m {
            var meanG = 0.0, meanGX = 0.0
            for j in 0 ..< d {
                let gj = Double(dxn[r * d + j] * gamma[j])
                meanG += gj / Double(d)
                meanGX += gj * Double(t.xhat[r * d + j]) / Double(d)
            }
            for j in 0 ..< d {
                let gj = Double(dxn[r * d + j] * gamma[j])
                dx[r * d + j] += Float(Double(t.rstd[r]) * (gj - meanG - Double(t.xhat[r * d + j]) * meanGX))
            }
        }
        return (dx, grads)
    }
}
